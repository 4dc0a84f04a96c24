import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import Table from 'cli-table3';
import pc from 'picocolors';
import { REPO_ROOT } from '@stackdrill/stack';
import { parseCli, UsageError } from '@stackdrill/toolkit';
import {
  compareSummaries,
  DEFAULT_MARGINS,
  ms,
  percent,
  signed,
  type Comparison,
  type ComparisonRow,
  type Margins,
  type Side,
} from '../compare/compare.ts';
import { mergeSummaries, SummaryError } from '../compare/merge.ts';
import { SUMMARY_FORMAT, type LoadSummary } from '../model/summary.ts';

const USAGE = `pnpm load:compare <summary.json> [more summaries of the same run…] [--baseline <file>]
    [--p95-margin ${DEFAULT_MARGINS.p95Percent}] [--p95-floor ${DEFAULT_MARGINS.p95FloorMs}] [--error-margin ${DEFAULT_MARGINS.errorPoints}] [--min-requests ${DEFAULT_MARGINS.minRequests}] [--save-baseline] [--json]
  Compares a run (a summary \`pnpm load\` wrote in reports/load/) with the baseline of its profile, per
  endpoint and per journey. Several summaries are the runners of one run: their histograms are merged
  first (summaries without histograms, such as k6's own, can only be compared alone).
  A subject regressed when its p95 grew by more than --p95-margin % (and by at least --p95-floor ms),
  or its error rate by more than --error-margin percentage points. Subjects with fewer than
  --min-requests requests on either side are listed as not judged; ones on one side only as new/missing.
  --baseline: default loadtests/baselines/<profile>.json (not committed: the nightly job keeps it in
    the CI cache).
  --save-baseline: after a comparison without regression, the run becomes the new baseline; when
    there is no baseline yet, the run becomes the first one.
  --json: prints the comparison as JSON on stdout (messages go to stderr).
  Exit 0 when nothing regressed (or the first baseline was saved), 1 when something regressed,
  2 on bad input or when there is no baseline (and no --save-baseline).`;

export interface CompareOptions {
  /** Where the default baselines live (tests point it elsewhere). */
  baselineDir?: string;
}

export async function loadCompare(argv: string[], options: CompareOptions = {}): Promise<number> {
  const { values, positionals } = parseCli(
    argv,
    {
      baseline: { type: 'string' },
      'p95-margin': { type: 'string' },
      'p95-floor': { type: 'string' },
      'error-margin': { type: 'string' },
      'min-requests': { type: 'string' },
      'save-baseline': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    true,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0)
    throw new UsageError('name the summary of a run, e.g. reports/load/<time>-average.json (see --help)');
  const margins: Margins = {
    p95Percent: number(values['p95-margin'], '--p95-margin', DEFAULT_MARGINS.p95Percent),
    p95FloorMs: number(values['p95-floor'], '--p95-floor', DEFAULT_MARGINS.p95FloorMs),
    errorPoints: number(values['error-margin'], '--error-margin', DEFAULT_MARGINS.errorPoints),
    minRequests: number(values['min-requests'], '--min-requests', DEFAULT_MARGINS.minRequests, true),
  };
  // With --json, stdout carries the JSON alone.
  const say = values.json ? console.error : console.log;

  const files = positionals.map(fromUser);
  const runs = await Promise.all(files.map((file) => readSummary(file, 'summary')));
  let current = runs[0]!;
  if (runs.length > 1) {
    try {
      current = mergeSummaries(runs, files.map(display));
    } catch (error) {
      if (error instanceof SummaryError) throw new UsageError(`cannot merge: ${error.message}`);
      throw error;
    }
    say(
      `merged ${runs.length} summaries (${current.runners} runners) of ${current.profile}: ` +
        `${totalRequests(current)} requests over ${current.durationS.toFixed(0)} s, percentiles from the summed histograms`,
    );
  }

  const baselineFile = values.baseline
    ? fromUser(values.baseline)
    : defaultBaseline(current.profile, options.baselineDir);
  const shown = display(baselineFile);
  const baseline = await readSummary(baselineFile, 'baseline', true);
  if (!baseline) {
    if (!values['save-baseline']) {
      throw new UsageError(
        `there is no baseline at ${shown} to compare with; run again with --save-baseline to make this ` +
          `run the baseline of ${current.profile}${values.baseline ? '' : ', or pass --baseline <file>'}`,
      );
    }
    await saveBaseline(baselineFile, current);
    say(pc.green(`no baseline at ${shown} yet: saved this run as the first baseline of ${current.profile}`));
    if (values.json) console.log(JSON.stringify({ baseline: null, savedBaseline: baselineFile }, null, 2));
    return 0;
  }

  let comparison: Comparison;
  try {
    comparison = compareSummaries(current, baseline, margins);
  } catch (error) {
    if (error instanceof SummaryError) throw new UsageError(`${shown}: ${error.message}`);
    throw error;
  }
  let saved: string | undefined;
  if (values['save-baseline'] && !comparison.regressed) {
    await saveBaseline(baselineFile, current);
    saved = baselineFile;
  }

  if (values.json) {
    console.log(
      JSON.stringify({ baselineFile, ...comparison, ...(saved ? { savedBaseline: saved } : {}) }, null, 2),
    );
  } else {
    printComparison(comparison, shown);
  }
  if (saved) say(`saved this run as the new baseline: ${shown}`);
  else if (values['save-baseline'])
    say(pc.yellow(`not saving a regressed run as the baseline; ${shown} is unchanged`));
  return comparison.regressed ? 1 : 0;
}

function defaultBaseline(profile: string, dir = join(REPO_ROOT, 'loadtests', 'baselines')): string {
  if (!/^[\w.-]+$/.test(profile) || profile.startsWith('.'))
    throw new UsageError(`profile "${profile}" cannot name a baseline file; pass --baseline <file>`);
  return join(dir, `${profile}.json`);
}

function number(raw: string | undefined, flag: string, fallback: number, whole = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || (whole && !Number.isInteger(value)))
    throw new UsageError(`${flag} takes a ${whole ? 'whole ' : ''}number ≥ 0, got "${raw}"`);
  return value;
}

/**
 * A summary file, checked enough that the comparison can trust its figures; every problem is a
 * UsageError naming the file. With `optional`, a file that does not exist is undefined.
 */
async function readSummary(file: string, role: 'summary' | 'baseline'): Promise<LoadSummary>;
async function readSummary(
  file: string,
  role: 'summary' | 'baseline',
  optional: true,
): Promise<LoadSummary | undefined>;
async function readSummary(
  file: string,
  role: 'summary' | 'baseline',
  optional = false,
): Promise<LoadSummary | undefined> {
  const shown = display(file);
  const redo =
    role === 'baseline'
      ? 'delete it and store a new one with --save-baseline'
      : 'pass a summary written by `pnpm load` (reports/load/*.json)';
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && optional) return undefined;
    if (code === 'ENOENT') throw new UsageError(`${shown} does not exist; ${redo}`);
    throw new UsageError(`cannot read ${shown}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${shown} is not JSON (${(error as Error).message}); ${redo}`);
  }
  const format = (data as { format?: unknown } | null)?.format;
  if (typeof data !== 'object' || data === null || typeof format !== 'string')
    throw new UsageError(`${shown} is not a load summary (it has no "format"); ${redo}`);
  if (format !== SUMMARY_FORMAT) {
    throw new UsageError(
      `${shown} is in format "${format}", this version reads ${SUMMARY_FORMAT}; ${
        role === 'baseline' ? redo : 'run the load again with this version of `pnpm load`'
      }`,
    );
  }
  const problem = shapeProblem(data as Record<string, unknown>);
  if (problem) throw new UsageError(`${shown} is not a complete load summary: ${problem}; ${redo}`);
  return data as LoadSummary;
}

/** What is missing or malformed in a summary, if anything. */
function shapeProblem(s: Record<string, unknown>): string | undefined {
  for (const key of ['profile', 'target', 'startedAt', 'engine'])
    if (typeof s[key] !== 'string') return `"${key}" is not a string`;
  if (typeof s.durationS !== 'number') return '"durationS" is not a number';
  for (const kind of ['endpoints', 'journeys']) {
    const subjects = s[kind];
    if (typeof subjects !== 'object' || subjects === null || Array.isArray(subjects))
      return `"${kind}" is not an object`;
    for (const [name, f] of Object.entries(subjects)) {
      for (const field of ['requests', 'errors', 'p50Ms', 'p95Ms', 'p99Ms', 'maxMs']) {
        if (typeof (f as Record<string, unknown> | null)?.[field] !== 'number')
          return `${kind}["${name}"].${field} is not a number`;
      }
    }
  }
  if (s.timeline !== undefined && !Array.isArray(s.timeline)) return '"timeline" is not a list';
  return undefined;
}

/** Writes the baseline whole or not at all (a crash mid-write must not leave half a baseline). */
async function saveBaseline(file: string, summary: LoadSummary): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, JSON.stringify(summary, null, 2));
  await rename(partial, file);
}

function printComparison(comparison: Comparison, baselineFile: string): void {
  const m = comparison.margins;
  console.log(
    `${pc.bold(comparison.profile)}: this run (${comparison.current.startedAt}) against the baseline ` +
      `${baselineFile} (${comparison.baseline.startedAt}); margins: p95 +${m.p95Percent} % ` +
      `(at least ${m.p95FloorMs} ms), errors +${m.errorPoints} points, judged from ${m.minRequests} requests`,
  );
  for (const note of comparison.notes) console.log(pc.yellow(`note: ${note}`));
  const table = new Table({
    head: [
      'subject',
      'baseline p95',
      'current p95',
      'change',
      'baseline errors',
      'current errors',
      'verdict',
    ].map((h) => pc.bold(h)),
    style: { head: [] },
    // The reasons wrap in their column rather than widening the table past the terminal.
    colWidths: [null, null, null, null, null, null, 56],
    wordWrap: true,
  });
  for (const row of comparison.rows) {
    table.push([
      row.subject,
      row.baseline ? ms(row.baseline.p95Ms) : '–',
      row.current ? ms(row.current.p95Ms) : '–',
      row.p95ChangePercent === undefined ? '–' : `${signed(Math.round(row.p95ChangePercent))} %`,
      errors(row.baseline),
      errors(row.current),
      verdict(row),
    ]);
  }
  console.log(table.toString());
  console.log(oneLine(comparison));
}

function errors(side: Side | undefined): string {
  return side ? `${percent(side.errorRate)} of ${side.requests}` : '–';
}

function verdict(row: ComparisonRow): string {
  switch (row.status) {
    case 'ok':
      return pc.green('ok');
    case 'regressed':
      return pc.red(`REGRESSED: ${row.reasons.join('; ')}`);
    case 'not judged':
      return pc.dim(`not judged: ${row.reasons.join('; ')}`);
    case 'new':
      return pc.yellow('new (not in the baseline)');
    case 'missing':
      return pc.yellow('missing (not in this run)');
  }
}

function oneLine(comparison: Comparison): string {
  const count = (status: ComparisonRow['status']) => comparison.rows.filter((r) => r.status === status);
  const regressed = count('regressed');
  const rest = [
    `${count('ok').length + regressed.length} judged`,
    ...(['not judged', 'new', 'missing'] as const)
      .map((status) => [status, count(status).length] as const)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`),
  ].join(', ');
  if (regressed.length === 0) return pc.green(`no regression against the baseline (${rest})`);
  return pc.red(`REGRESSED: ${regressed.map((r) => r.subject).join(', ')} (${regressed.length} of ${rest})`);
}

function totalRequests(summary: LoadSummary): number {
  return Object.values(summary.endpoints).reduce((sum, f) => sum + f.requests, 0);
}

/** A path the user typed, from where they typed it (pnpm runs scripts at the root; INIT_CWD is where they were). */
function fromUser(file: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

/** A path as the user would type it: relative to where they are, when that is shorter. */
function display(file: string): string {
  const rel = relative(process.env.INIT_CWD ?? process.cwd(), file);
  return rel && !rel.startsWith('..') && rel.length < file.length ? rel : file;
}
