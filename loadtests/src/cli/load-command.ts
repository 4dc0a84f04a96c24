import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Table from 'cli-table3';
import pc from 'picocolors';
import { REPO_ROOT, resolveInstance } from '@stackdrill/stack';
import { parseCli, probeSync, TOOLS, UsageError } from '@stackdrill/toolkit';
import { summaryFromK6Samples } from '../engine/k6-samples.ts';
import { withDuration } from '../engine/schedule.ts';
import { writeHtmlReport } from '../report/html-report.ts';
import {
  FLAT_BASELINE_MINUTES,
  FLAT_MAX_RATIO,
  FLAT_MIN_REQUESTS,
  FLAT_MIN_RUN_MINUTES,
  FLAT_TAIL_MINUTES,
  minutesLabel,
  withFlatness,
} from '../model/flatness.ts';
import { durationSeconds, PROFILES, type Profile, type ProfileName } from '../model/profiles.ts';
import { LOAD_KEY_ENV } from '../model/load-mark.ts';
import { checkSpec, SLO_SPEC } from '../model/slo.ts';
import {
  withTimedMarks,
  type CpuPerJourney,
  type Flatness,
  type LoadSummary,
  type SloCapacity,
  type TimedMark,
} from '../model/summary.ts';
import { prepareLoad, provisionCustomers, runNodeLoad } from '../run/node-run.ts';
import { cpuPerJourney, journeysOf, LOAD_GENERATOR, startCpuMeter, type CpuSpent } from './local-cpu.ts';

/** The profiles that also judge whether p95 stays flat. */
const FLAT_PROFILES = Object.entries(PROFILES)
  .filter(([, p]) => 'flatness' in p && p.flatness)
  .map(([name]) => name);

const USAGE = `pnpm load <profile> [--engine k6|node] [--target URL] [--duration 30s] [--customers N] [--workers N] [--seed N] [--chaos EXPERIMENT]
  profiles: ${Object.entries(PROFILES)
    .map(([name, p]) => `\n    ${name.padEnd(11)}${p.description}`)
    .join('')}
  Runs the profile's journeys against --target (default: the local gateway), judged by the SLO spec
  (loadtests/src/model/slo.ts). Writes reports/load/<time>-<profile>.json and .html (the report; with
  k6 also its raw samples, .k6.csv.gz, from which both are made). Exit 0 when every SLO
  held, 99 when one broke (as k6 does) or soak's p95 drifted, 130 when interrupted (the partial
  report is still written).
  --engine: k6 when it is installed, otherwise node. --duration scales the profile to that length.
  --workers: threads of the node engine (default: one per ~1,500 requests/s at the peak, at most one per core).
  --seed: the node engine's journey choices (and think times) repeat under the same seed.
  --chaos: runs a chaos experiment's method (its faults, pauses and probes; \`pnpm chaos list\`)
  beside the load against a local instance's gateway, every fault reverted when it ends, and draws
  the faults, reverts and recovery on the report's timeline.
  Every request carries X-Stackdrill-Load, signed with the target stack's load key, which the
  gateway counts under its own bound instead of the per-IP limit: a local instance's key is read from
  its state; for another target set ${LOAD_KEY_ENV}. Without a key the load goes unmarked.
  Against a local instance's gateway, also prints (and writes in the summary, \`cpu\`) the CPU time per
  journey of each of its processes and of the load generator, from /proc.
  breakpoint: ramps until an SLO breaks over a 15 s window, prints the SLO capacity (the last arrival
  rate that met every SLO) and exits 0 once it has measured it.
  ${FLAT_PROFILES.join(', ')}: also checks that every endpoint's p95 stays flat: the p95 of the last ${FLAT_TAIL_MINUTES} whole minutes may be
  at most ${FLAT_MAX_RATIO} × the p95 of ${minutesLabel(FLAT_BASELINE_MINUTES)} (each read from the span's merged histograms), or
  the run exits 99 as when an SLO broke. Judged on runs of at least ${FLAT_MIN_RUN_MINUTES} minutes (pnpm load soak
  --duration 30m); endpoints with fewer than ${FLAT_MIN_REQUESTS} requests in either span are listed as not judged.`;

/** Exit code when an SLO broke, as k6 uses for failed thresholds. */
export const SLO_FAILED = 99;

const k6Installed = () => probeSync('k6', ['version']) !== undefined;

/**
 * Something that runs beside the load and acts on its target, such as a chaos experiment's method
 * (`--chaos`): the CLI on top provides it, so the load engine does not depend on chaos. What it
 * did comes back as marks on the run's timeline.
 */
export interface SideRun {
  /** Refuses bad input before any load (an unknown experiment, a target that is not a local stack). */
  check(target: string): Promise<void>;
  /** Runs until it is done or the signal aborts (the load ended); every fault it put in place is reverted. */
  run(target: string, signal: AbortSignal, note: (line: string) => void): Promise<TimedMark[]>;
}

export interface LoadSides {
  /** `--chaos <experiment>`: the experiment's method beside the load. */
  chaos?: (experiment: string) => SideRun;
}

/** Starts a side run; `stop` ends it (when the load has ended) and gives its marks. */
function startSide(side: SideRun | undefined, target: string): { stop(): Promise<TimedMark[]> } {
  if (!side) return { stop: async () => [] };
  const ended = new AbortController();
  const marks = side.run(target, ended.signal, (line) => console.log(pc.magenta(`chaos: ${line}`)));
  return {
    stop: async () => {
      ended.abort();
      try {
        return await marks;
      } catch (error) {
        console.log(pc.red(`chaos: ${(error as Error).message}`));
        return [];
      }
    },
  };
}

/** The marks in seconds since the run started. */
function withSideMarks(summary: LoadSummary, marks: TimedMark[]): LoadSummary {
  return marks.length === 0 ? summary : withTimedMarks(summary, marks);
}

export async function load(argv: string[], sides: LoadSides = {}): Promise<number> {
  const { values, positionals } = parseCli(
    argv,
    {
      chaos: { type: 'string' },
      engine: { type: 'string' },
      target: { type: 'string' },
      duration: { type: 'string' },
      customers: { type: 'string', default: '10' },
      workers: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    true,
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const name = positionals[0];
  if (!name || !(name in PROFILES)) {
    throw new UsageError(
      `${name ? `unknown profile "${name}"` : 'name a profile'}; one of ${Object.keys(PROFILES).join(', ')}`,
    );
  }
  const problems = checkSpec(SLO_SPEC);
  if (problems.length)
    throw new UsageError(`the SLO spec does not hold together:\n  ${problems.join('\n  ')}`);
  const profileName = name as ProfileName;
  const base: Profile = PROFILES[profileName];
  let profile = base;
  if (values.duration) {
    try {
      profile = { ...base, scenario: withDuration(base.scenario, durationSeconds(values.duration)) };
    } catch (error) {
      throw new UsageError(`--duration: ${(error as Error).message}`);
    }
  }
  const dev = resolveInstance('dev');
  const target = (values.target ?? `http://${dev.host}:${dev.app.gateway.port}`).replace(/\/$/, '');
  try {
    new URL(target);
  } catch {
    throw new UsageError(`--target must be an absolute URL such as http://127.0.0.1:8080, got "${target}"`);
  }
  const customers = Number(values.customers);
  if (!Number.isInteger(customers) || customers < 1 || customers > 1000)
    throw new UsageError(`--customers takes 1 to 1000, got "${values.customers}"`);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 64))
    throw new UsageError(`--workers takes 1 to 64, got "${values.workers}"`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed))
    throw new UsageError(`--seed takes a whole number, got "${values.seed}"`);
  const engine = values.engine ?? (k6Installed() ? 'k6' : 'node');
  if (engine !== 'k6' && engine !== 'node') throw new UsageError(`--engine is k6 or node, got "${engine}"`);
  if (values.chaos !== undefined && !sides.chaos)
    throw new UsageError('--chaos is not available here (the chaos package is not wired into this command)');
  const side = values.chaos !== undefined ? sides.chaos!(values.chaos) : undefined;
  await side?.check(target);
  const prepared = await prepareLoad(target, profile, (line) =>
    console.log(line.startsWith('load unmarked') ? pc.yellow(line) : line),
  );
  const { loadKey } = prepared;

  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(REPO_ROOT, 'reports', 'load', `${stamp}-${profileName}.json`);
  await mkdir(join(REPO_ROOT, 'reports', 'load'), { recursive: true });

  if (engine === 'k6') {
    if (!k6Installed())
      throw new UsageError('--engine k6: k6 is not on PATH; install it, or use --engine node');
    const samples = out.replace(/\.json$/, '.k6.csv.gz');
    const args = ['run', '--out', `csv=${samples}`];
    for (const [key, value] of Object.entries({
      PROFILE: profileName,
      ...(values.duration ? { DURATION: values.duration } : {}),
      BASE_URL: target,
      SUMMARY_FILE: out,
      CUSTOMERS: String(customers),
    }))
      args.push('-e', `${key}=${value}`);
    args.push(join(REPO_ROOT, 'loadtests', 'k6', 'shop.ts'));
    const meter = await startCpuMeter(target);
    // Ctrl-C reaches k6 too (same process group); k6 stops and still writes its samples.
    const wait = () => {};
    process.on('SIGINT', wait);
    const beside = startSide(side, target);
    const code = await TOOLS.attached('k6', args, {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        K6_CSV_TIME_FORMAT: 'unix_milli',
        ...(loadKey ? { [LOAD_KEY_ENV]: loadKey.key } : {}),
      },
    });
    process.off('SIGINT', wait);
    const marks = await beside.stop();
    const spent = await meter?.stop();
    // k6's own exit codes other than "thresholds failed" (a script error, a setup failure) stand.
    if (code !== 0 && code !== SLO_FAILED) return code;
    const summary = await summaryFromK6Samples(samples, { profileName, profile, target });
    return finish(withSideMarks(judgedByProfile(summary, profile), marks), out, spent);
  }

  console.log(`${pc.bold(profileName)} (${profile.description}) against ${target}, node engine`);
  const accounts = await provisionCustomers(prepared, customers, console.log);
  const abort = new AbortController();
  const onSigint = () => {
    console.log(pc.yellow('\ninterrupted: stopping the load, writing the partial report...'));
    abort.abort();
  };
  process.once('SIGINT', onSigint);
  let summary: LoadSummary;
  const meter = await startCpuMeter(target);
  let spent: CpuSpent | undefined;
  let marks: TimedMark[] = [];
  const beside = startSide(side, target);
  try {
    summary = await runNodeLoad(prepared, {
      profileName,
      profile,
      customers: accounts,
      signal: abort.signal,
      workers,
      seed,
      onProgress: (p) =>
        console.log(
          `${String(Math.round(p.elapsedS)).padStart(4)} s / ${p.plannedS} s  ${p.arrivalRate.toFixed(1).padStart(6)} it/s  ` +
            `${String(p.rate).padStart(5)} req/s  ` +
            `p95 ${p.p95Ms.toFixed(1).padStart(7)} ms  errors ${p.errors}/${p.requests}  in flight ${p.inFlight}` +
            `${p.dropped ? `  dropped ${p.dropped}` : ''}  SLO ${p.sloOk ? pc.green('ok') : pc.red('BROKEN')}`,
        ),
    });
  } finally {
    marks = await beside.stop();
    spent = await meter?.stop();
    process.off('SIGINT', onSigint);
  }
  return finish(withSideMarks(judgedByProfile(summary, profile), marks), out, spent);
}

/** The summary with the profile's own checks judged in (`flatness`: whether p95 stayed flat). */
function judgedByProfile(summary: LoadSummary, profile: Profile): LoadSummary {
  return profile.flatness ? withFlatness(summary) : summary;
}

/** Writes the JSON summary and the HTML report, prints the verdicts, and says how the run ended. */
async function finish(judged: LoadSummary, out: string, spent?: CpuSpent): Promise<number> {
  const summary = spent ? { ...judged, cpu: cpuPerJourney(spent, journeysOf(judged)) } : judged;
  await writeFile(out, JSON.stringify(summary, null, 2));
  const html = out.replace(/\.json$/, '.html');
  await writeHtmlReport(summary, html);
  printVerdicts(summary);
  if (summary.flatness) printFlatness(summary.flatness);
  if (summary.cpu) printCpu(summary.cpu);
  console.log(`summary: ${out}`);
  console.log(`report:  ${html}`);
  if (summary.interrupted) return 130;
  if (summary.capacity) return printCapacity(summary.capacity) ? 0 : SLO_FAILED;
  return summary.passed ? 0 : SLO_FAILED;
}

/** CPU per journey by process, costliest first, with the stack's total (the load generator apart). */
function printCpu(cpu: CpuPerJourney): void {
  const rows = Object.entries(cpu.perJourneyMs).sort(([, a], [, b]) => b - a);
  const stack = rows.filter(([name]) => name !== LOAD_GENERATOR).reduce((sum, [, ms]) => sum + ms, 0);
  const table = new Table({ head: ['process', 'CPU ms per journey'] });
  for (const [name, ms] of rows) table.push([name, ms.toFixed(2)]);
  console.log(
    `CPU per journey (${cpu.journeys} journeys, the ${cpu.instance} instance's processes from /proc): ` +
      `${stack.toFixed(1)} ms for the stack`,
  );
  console.log(table.toString());
}

/** The breakpoint's answer; false when not even the first window held. */
function printCapacity(capacity: SloCapacity): boolean {
  const rate = `${capacity.iterationsPerS.toFixed(1)} journeys/s (${capacity.requestsPerS.toFixed(0)} requests/s)`;
  if (!capacity.brokenAt) {
    console.log(pc.yellow(`SLO capacity: at least ${rate}: the ramp ended before any SLO broke`));
    return true;
  }
  const where = `broke at ${capacity.brokenAt.iterationsPerS.toFixed(1)} journeys/s: ${capacity.brokenAt.broken.join('; ')}`;
  if (capacity.iterationsPerS === 0) {
    console.log(pc.red(`SLO capacity: none: the first window already ${where}`));
    return false;
  }
  console.log(pc.bold(`SLO capacity: ${rate}`));
  console.log(`  ${where}`);
  return true;
}

function printVerdicts(summary: LoadSummary): void {
  const table = new Table({
    head: ['SLO', 'requests', 'errors', 'p50', 'p95', 'p99', 'objective', ''].map((h) => pc.bold(h)),
    style: { head: [] },
  });
  const figures = { ...summary.endpoints, ...summary.journeys };
  for (const v of summary.verdicts) {
    const f = figures[v.subject.replace(/^(endpoint|journey) /, '')];
    table.push([
      v.subject,
      String(v.measured.requests),
      `${((v.measured.errors / Math.max(1, v.measured.requests)) * 100).toFixed(1)} %`,
      `${(f?.p50Ms ?? 0).toFixed(1)} ms`,
      `${v.measured.p95Ms.toFixed(1)} ms`,
      `${v.measured.p99Ms.toFixed(1)} ms`,
      `p95 ≤ ${v.objective.p95Ms}, p99 ≤ ${v.objective.p99Ms}, errors ≤ ${(v.objective.maxErrorRate * 100).toFixed(0)} %`,
      v.passed ? pc.green('met') : pc.red(`BROKEN: ${v.broken.join('; ')}`),
    ]);
  }
  console.log(table.toString());
  console.log(
    summary.verdicts.every((v) => v.passed)
      ? pc.green(`every SLO held (${summary.durationS.toFixed(0)} s)`)
      : pc.red(
          `SLO broken: ${summary.verdicts
            .filter((v) => !v.passed)
            .map((v) => v.subject)
            .join(', ')}`,
        ),
  );
  if (summary.droppedIterations)
    console.log(pc.yellow(`${summary.droppedIterations} arrivals dropped (maxVUs in flight)`));
}

/** Per endpoint, the p95 after the warm-up against the p95 at the end, and whether it stayed flat. */
function printFlatness(flatness: Flatness): void {
  const notJudged = () =>
    console.log(pc.yellow(`p95 flatness not judged: ${flatness.reason ?? 'no endpoint could be'}`));
  if (!flatness.tailMinutes) return notJudged();
  const baseline = minutesLabel(flatness.baselineMinutes);
  const [from, to] = flatness.tailMinutes;
  const tail = `last ${to - from} min (${from}-${to})`;
  const allowed = `${Math.round((flatness.maxRatio - 1) * 100)} %`;
  const table = new Table({
    head: ['endpoint', `p95 ${baseline}`, `p95 ${tail}`, 'ratio', ''].map((h) => pc.bold(h)),
    style: { head: [] },
  });
  const p95 = (span: { requests: number; p95Ms: number }) =>
    span.requests ? `${span.p95Ms.toFixed(1)} ms (${span.requests} req)` : '–';
  for (const row of flatness.endpoints) {
    table.push([
      row.endpoint,
      p95(row.baseline),
      p95(row.tail),
      row.judged ? row.ratio.toFixed(2) : '–',
      !row.judged
        ? pc.dim(`not judged: ${row.reason}`)
        : row.passed
          ? pc.green('flat')
          : pc.red(`DRIFTED: ${signedPercent(row.ratio)} (at most +${allowed})`),
    ]);
  }
  console.log(table.toString());
  if (!flatness.judged) return notJudged();
  const drifted = flatness.endpoints.filter((row) => row.judged && !row.passed).map((row) => row.endpoint);
  const judged = flatness.endpoints.filter((row) => row.judged).length;
  const skipped = flatness.endpoints.length - judged;
  const last = `the last ${to - from} min`;
  console.log(
    drifted.length
      ? pc.red(`p95 drifted: ${drifted.join(', ')} (${last} more than ${allowed} slower than ${baseline})`)
      : pc.green(
          `p95 stayed flat on ${judged} endpoint${judged === 1 ? '' : 's'} (${last} within ${allowed} of ${baseline})` +
            (skipped ? `, ${skipped} not judged` : ''),
        ),
  );
}

/** A ratio as a change: 1.314 → `+31.4 %`. */
const signedPercent = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %`;
