import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { writeHtmlReport } from '@stackdrill/loadtests';
import { REPO_ROOT } from '@stackdrill/stack';
import type { ExperimentResult } from './run-experiment.ts';

/**
 * Writes an experiment's result as JSON, and its background load as the load's HTML report with the
 * faults, reverts and recovery drawn on the timeline, under reports/chaos/.
 */
export async function writeExperimentReport(
  experimentPath: string,
  result: ExperimentResult,
  dir = join(REPO_ROOT, 'reports', 'chaos'),
): Promise<{ json: string; html: string | undefined }> {
  await mkdir(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, '-');
  const base = join(dir, `${stamp}-${basename(experimentPath, extname(experimentPath))}`);
  const json = `${base}.json`;
  await writeFile(json, JSON.stringify(result, null, 2));
  if (!result.load) return { json, html: undefined };
  const html = `${base}.html`;
  await writeHtmlReport(result.load, html);
  return { json, html };
}
