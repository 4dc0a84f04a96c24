import {
  ALERT_LEVELS,
  PROFILES,
  prepareLoad,
  provisionCustomers,
  runNodeLoad,
  withDuration,
  withTimedMarks,
  type LoadSummary,
  type Profile,
  type Progress,
} from '@stackdrill/loadtests';
import type { Provider } from '@stackdrill/stack';
import { UsageError } from '@stackdrill/toolkit';
import { revertLeftovers, type FaultRun } from '../run-fault.ts';
import { sleep } from '../sleep.ts';
import { LoadWindow } from './load-window.ts';
import { DEFAULT_FAULT_S, planMethod, runMethod, type MethodEvent, type TimedMark } from './run-method.ts';
import type { Experiment, ExperimentProbe } from './schema.ts';

/** Chaos Toolkit's words for how a run ended. */
export type ExperimentStatus =
  | 'completed' // the hypothesis held before and again after the method
  | 'deviated' // it did not hold again within the recovery bound
  | 'aborted' // an abort bound was crossed: the method was cut short
  | 'failed' // it did not hold before the method: nothing was injected
  | 'interrupted'; // Ctrl-C or SIGTERM

export interface ProbeOutcome {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ExperimentResult {
  title: string;
  status: ExperimentStatus;
  startedAt: string;
  steadyBefore: ProbeOutcome[];
  steadyAfter: ProbeOutcome[];
  faults: FaultRun[];
  /**
   * From the last fault's revert to the start of the first window, wholly after the revert, over
   * which the hypothesis held (so the seconds of the fault are never judged as recovery).
   */
  recoveryS: number | undefined;
  abortReason: string | undefined;
  /** The background load, its timeline carrying the marks (for the HTML report). */
  load: LoadSummary | undefined;
}

export type ExperimentEvent =
  | {
      type: 'phase';
      phase: 'load' | 'warm-up' | 'steady-state-before' | 'method' | 'steady-state-after' | 'rollbacks';
    }
  | { type: 'note'; line: string }
  | { type: 'load'; progress: Progress }
  | { type: 'hypothesis'; when: 'before' | 'after'; outcomes: ProbeOutcome[] }
  | { type: 'abort'; reason: string }
  | { type: 'recovered'; afterS: number }
  | MethodEvent;

export interface RunExperimentOptions {
  signal?: AbortSignal;
  onEvent?: (event: ExperimentEvent) => void;
  /** Where the background load goes (default: the instance's gateway). */
  target?: string;
}

const DEFAULT_WINDOW_S = 10;
const DEFAULT_WARMUP_S = 10;
const DEFAULT_RECOVERY_S = 120;

/**
 * Runs an experiment against a stack: plans every fault (bad input refused before anything is
 * touched), reverts leftovers, starts the background load, warms up, checks the steady-state
 * hypothesis, runs the method (aborting early when the load crosses a bound), waits for the
 * hypothesis to hold again, runs the rollbacks, and stops the load. Every fault is reverted
 * whatever happens (runFault's guarantee; the rollbacks and the journal behind it).
 */
export async function runExperiment(
  provider: Provider,
  experiment: Experiment,
  options: RunExperimentOptions = {},
): Promise<ExperimentResult> {
  const emit = options.onEvent ?? (() => {});
  const outer = options.signal;
  await planMethod(provider, experiment);
  const profile = loadProfile(experiment);
  const target = options.target ?? provider.endpoints('host').app.gateway;
  await revertLeftovers(provider, {
    onEvent: (event) => emit({ type: 'note', line: `leftover: ${event.type}` }),
  });

  const startedAt = new Date().toISOString();
  const window = new LoadWindow();
  const stopLoad = new AbortController();
  const method = new AbortController();
  const cancel = () => {
    method.abort();
    stopLoad.abort();
  };
  outer?.addEventListener('abort', cancel, { once: true });
  const abort = experiment.abort;
  const abortWindowS = abort?.window ?? DEFAULT_WINDOW_S;
  let abortReason: string | undefined;
  let inMethod = false;
  const marks: TimedMark[] = [];

  emit({ type: 'phase', phase: 'load' });
  const prepared = await prepareLoad(target, profile, (line) => emit({ type: 'note', line }));
  const customers = await provisionCustomers(prepared, 5, (line) => emit({ type: 'note', line }));
  const loadRun = runNodeLoad(prepared, {
    profileName: experiment.load?.profile ?? 'smoke',
    profile,
    customers,
    workers: 1,
    signal: stopLoad.signal,
    onProgress: (progress) => {
      window.observe(progress);
      emit({ type: 'load', progress });
      if (!inMethod || !abort || abortReason) return;
      const figures = window.last(abortWindowS);
      if (!figures) return;
      const reasons = [
        abort.errorRate !== undefined && figures.errorRate > abort.errorRate
          ? `error rate ${(figures.errorRate * 100).toFixed(1)} % > ${(abort.errorRate * 100).toFixed(1)} %`
          : undefined,
        abort.p95Ms !== undefined && figures.p95Ms > abort.p95Ms
          ? `p95 ${figures.p95Ms.toFixed(0)} ms > ${abort.p95Ms} ms`
          : undefined,
      ].filter((r) => r !== undefined);
      if (reasons.length) {
        abortReason = `over the last ${abortWindowS} s: ${reasons.join(', ')}`;
        marks.push({ at: Date.now(), kind: 'abort', label: `abort: ${abortReason}` });
        emit({ type: 'abort', reason: abortReason });
        method.abort();
      }
    },
  });

  const probe = (p: ExperimentProbe) => runProbe(provider, window, p);
  const hypothesis = () => Promise.all(experiment['steady-state-hypothesis'].probes.map(probe));
  let status: ExperimentStatus = 'completed';
  let steadyBefore: ProbeOutcome[] = [];
  let steadyAfter: ProbeOutcome[] = [];
  let faults: FaultRun[] = [];
  let recoveryS: number | undefined;
  try {
    emit({ type: 'phase', phase: 'warm-up' });
    await sleep(experiment.load?.warmup ?? DEFAULT_WARMUP_S, method.signal);
    emit({ type: 'phase', phase: 'steady-state-before' });
    steadyBefore = await hypothesis();
    emit({ type: 'hypothesis', when: 'before', outcomes: steadyBefore });
    if (!steadyBefore.every((o) => o.ok)) {
      status = 'failed';
    } else if (!outer?.aborted) {
      emit({ type: 'phase', phase: 'method' });
      inMethod = true;
      const outcome = await runMethod(provider, experiment, { signal: method.signal, probe, onEvent: emit });
      inMethod = false;
      faults = outcome.faults;
      marks.push(...outcome.marks);
      emit({ type: 'phase', phase: 'steady-state-after' });
      const recovered = await untilSteady(
        hypothesis,
        outcome.lastRevertAt,
        hypothesisWindowS(experiment),
        experiment.recovery?.within ?? DEFAULT_RECOVERY_S,
        outer,
      );
      steadyAfter = recovered.outcomes;
      emit({ type: 'hypothesis', when: 'after', outcomes: steadyAfter });
      if (recovered.at !== undefined) {
        // It held over the window that ended now: steady from the window's start, not from now.
        const steadyFrom = Math.max(
          outcome.lastRevertAt,
          recovered.at - hypothesisWindowS(experiment) * 1000,
        );
        recoveryS = (steadyFrom - outcome.lastRevertAt) / 1000;
        marks.push({
          at: steadyFrom,
          kind: 'recovered',
          label: `steady again ${recoveryS.toFixed(1)} s after the revert`,
        });
        emit({ type: 'recovered', afterS: recoveryS });
      }
      status = abortReason ? 'aborted' : recovered.at === undefined ? 'deviated' : 'completed';
    }
  } finally {
    inMethod = false;
    emit({ type: 'phase', phase: 'rollbacks' });
    await revertLeftovers(provider, { all: true });
    stopLoad.abort();
    outer?.removeEventListener('abort', cancel);
  }
  if (outer?.aborted) status = 'interrupted';
  const summary = await loadRun.catch(() => undefined);
  const load = summary && withMarks(summary, marks, outer?.aborted ?? false);
  return {
    title: experiment.title,
    status,
    startedAt,
    steadyBefore,
    steadyAfter,
    faults,
    recoveryS,
    abortReason,
    load,
  };
}

/** The profile the background load runs: the experiment's (smoke by default), at its rate, long enough for every step. */
function loadProfile(experiment: Experiment): Profile {
  const name = experiment.load?.profile ?? 'smoke';
  const base = (PROFILES as Record<string, Profile>)[name];
  if (!base)
    throw new UsageError(
      `load.profile "${name}" is not a profile; one of ${Object.keys(PROFILES).join(', ')}`,
    );
  const rate = experiment.load?.rate;
  if (rate !== undefined && base.scenario.executor !== 'constant-arrival-rate')
    throw new UsageError(`load.rate needs a constant-rate profile (smoke, average), not ${name}`);
  const steps = experiment.method.reduce(
    (sum, s) =>
      sum +
      (s.pauses?.before ?? 0) +
      (s.pauses?.after ?? 0) +
      (s.type === 'action' ? (s.provider.duration ?? DEFAULT_FAULT_S) + 60 : 5),
    0,
  );
  // Stopped when the run ends; this only bounds it (every load loop is bounded).
  const seconds =
    (experiment.load?.warmup ?? DEFAULT_WARMUP_S) +
    steps +
    (experiment.recovery?.within ?? DEFAULT_RECOVERY_S) +
    120;
  const scenario = withDuration(
    rate !== undefined && base.scenario.executor === 'constant-arrival-rate'
      ? { ...base.scenario, rate }
      : base.scenario,
    seconds,
  );
  return { ...base, scenario };
}

function hypothesisWindowS(experiment: Experiment): number {
  return Math.max(
    0,
    ...experiment['steady-state-hypothesis'].probes.map((p) =>
      p.provider.probe === 'slo' ? (p.provider.window ?? DEFAULT_WINDOW_S) : 0,
    ),
  );
}

/** One probe now: the stack's health, or the background load's last window against the alert levels. */
async function runProbe(
  provider: Provider,
  window: LoadWindow,
  probe: ExperimentProbe,
): Promise<ProbeOutcome> {
  if (probe.provider.probe === 'stack-healthy') {
    const statuses = await provider.status();
    const sick = statuses.filter((s) => !s.healthy).map((s) => s.component);
    return {
      name: probe.name,
      ok: sick.length === 0,
      detail: sick.length ? `unhealthy: ${sick.join(', ')}` : 'every component healthy',
    };
  }
  const seconds = probe.provider.window ?? DEFAULT_WINDOW_S;
  const figures = window.last(seconds);
  if (!figures) return { name: probe.name, ok: false, detail: `no load ran in the last ${seconds} s` };
  if (figures.requests === 0)
    return { name: probe.name, ok: false, detail: `nothing answered in the last ${seconds} s` };
  const ok = figures.errorRate <= ALERT_LEVELS.errorRate && figures.p95Ms <= ALERT_LEVELS.p95Ms;
  return {
    name: probe.name,
    ok,
    detail:
      `last ${seconds} s: ${figures.requests} requests, errors ${(figures.errorRate * 100).toFixed(1)} % ` +
      `(≤ ${ALERT_LEVELS.errorRate * 100} %), p95 ${figures.p95Ms.toFixed(0)} ms (≤ ${ALERT_LEVELS.p95Ms} ms)`,
  };
}

/**
 * Polls the hypothesis once a second until it holds over a window that starts after the revert (so
 * seconds of the fault are not judged as recovery), or the bound passes.
 */
async function untilSteady(
  hypothesis: () => Promise<ProbeOutcome[]>,
  revertedAt: number,
  windowS: number,
  boundS: number,
  signal: AbortSignal | undefined,
): Promise<{ at: number | undefined; outcomes: ProbeOutcome[] }> {
  const deadline = revertedAt + (boundS + windowS) * 1000;
  let outcomes: ProbeOutcome[] = [];
  for (;;) {
    if (Date.now() - revertedAt >= windowS * 1000) {
      outcomes = await hypothesis();
      if (outcomes.every((o) => o.ok)) return { at: Date.now(), outcomes };
    }
    if (Date.now() >= deadline || signal?.aborted) return { at: undefined, outcomes };
    await sleep(1, signal);
  }
}

/** The load's summary with the experiment's marks, in seconds since the load started. */
function withMarks(summary: LoadSummary, marks: TimedMark[], interrupted: boolean): LoadSummary {
  // The load is stopped on purpose when the experiment ends; only a Ctrl-C is an interruption.
  const { interrupted: _, ...rest } = summary;
  return withTimedMarks({ ...rest, ...(interrupted ? { interrupted: true } : {}) }, marks);
}
