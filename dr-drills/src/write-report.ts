import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeHtmlReport, type ReportPreface } from '@stackdrill/loadtests';
import { DR_OBJECTIVES, REPO_ROOT } from '@stackdrill/stack';
import type { DrillResult } from './run-drill.ts';

/**
 * Writes a drill's result as JSON, and as the load's HTML report (the faults, reverts, canary
 * outages and recovery on its timeline) with the drill's figures and checks above it, under
 * reports/drills/.
 */
export async function writeDrillReport(
  result: DrillResult,
  dir = join(REPO_ROOT, 'reports', 'drills'),
): Promise<{ json: string; html: string | undefined }> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, `${result.startedAt.replace(/[:.]/g, '-')}-${result.drill}`);
  const json = `${base}.json`;
  await writeFile(json, JSON.stringify(result, null, 2));
  const load = result.experiment?.load ?? result.load;
  if (!load) return { json, html: undefined };
  const html = `${base}.html`;
  await writeHtmlReport(load, html, preface(result));
  return { json, html };
}

const s = (value: number | undefined) => (value === undefined ? 'not measured' : `${value.toFixed(1)} s`);

function preface(result: DrillResult): ReportPreface {
  return {
    kind: 'DR drill',
    name: result.drill,
    passed: result.status === 'passed',
    facts: [
      ['Result', result.status],
      ['Drill', result.title],
      ['Instance', `${result.instance} (${result.provider})`],
      ['RTO', `${s(result.rtoS)} (the architecture's objective: < ${DR_OBJECTIVES.rtoS / 60} min)`],
      ['RPO', `${s(result.rpoS)} (the architecture's objective: < ${DR_OBJECTIVES.rpoS / 60} min)`],
      ...result.canaries.map((c): [string, string] => [
        `${c.datastore} canary`,
        `${c.acked} of ${c.written} writes acknowledged, ${c.lost.length} lost (${c.where})`,
      ]),
      ...result.notes.map((note, i): [string, string] => [i === 0 ? 'Notes' : '', note]),
    ],
    checks: result.checks,
  };
}
