import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { JOURNEYS, type Journey } from '../model/journeys.ts';
import { isOpenModel, levelAt, peakLevel, scenarioBounds, type Profile } from '../model/profiles.ts';
import type { LoadSummary } from '../model/summary.ts';
import { CapacitySearch, RunAggregate, type Second } from './aggregate.ts';
import { runShare, type Account, type ShareConfig, type Tick } from './share.ts';

export type { Account } from './share.ts';

export interface RunOptions {
  target: string;
  profileName: string;
  profile: Profile;
  customers: Account[];
  admin: Account;
  /** Aborting stops new iterations at once and cuts the ones in flight within a second. */
  signal?: AbortSignal;
  /** Called once a second, when every thread has handed that second over. */
  onProgress?: (progress: Progress) => void;
  /** Seeds the journey choice and the think times (the arrival times are fixed by the profile). */
  seed?: number;
  /** The target stack's load key: every request carries the mark it signs (see load-mark.ts). */
  loadKey?: string;
  /** Think time is scaled by this (1: as the journeys say). */
  thinkScale?: number;
  requestTimeoutMs?: number;
  /** The journeys the profile's mix names (default: the shop's). Other journeys run in one thread. */
  journeys?: Record<string, Journey>;
  /** Threads sending load (default: `autoWorkers`); 1 runs in this thread. */
  workers?: number;
  /** The breakpoint's window: SLOs judged over this many seconds (default 15) ... */
  windowS?: number;
  /** ... for subjects with at least this many requests in it (default 10). */
  windowMinRequests?: number;
}

export interface Progress {
  elapsedS: number;
  plannedS: number;
  /** Requests answered in the last second. */
  rate: number;
  p95Ms: number;
  errors: number;
  requests: number;
  inFlight: number;
  dropped: number;
  sloOk: boolean;
  /** The arrival rate the profile asks for now (iterations/s). */
  arrivalRate: number;
}

/** One thread per ~1,500 requests/s at the profile's peak, at most one per core. */
export function autoWorkers(profile: Profile, journeys: Record<string, Journey> = JOURNEYS): number {
  const scenario = profile.scenario;
  const peak = peakLevel(scenario);
  // VUs mostly think: one thread carries a few hundred of them.
  if (!isOpenModel(scenario)) return Math.max(1, Math.min(availableParallelism(), Math.ceil(peak / 300)));
  const weights = Object.entries(profile.mix) as [string, number][];
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  const stepsPerIteration =
    weights.reduce((sum, [name, w]) => sum + w * (journeys[name]?.steps.length ?? 1), 0) / total;
  return Math.max(1, Math.min(availableParallelism(), Math.ceil((peak * stepsPerIteration) / 1500)));
}

const now = () => performance.timeOrigin + performance.now();

/**
 * The Node engine: runs a profile's journeys at its arrival rates (open model: iteration i starts
 * when the clock says, however slow the target is), split over worker threads that take every
 * n-th arrival (see share.ts). Their per-second tallies are added up here, histograms and all, into
 * the timeline, the live progress and the summary. A profile with `abortOnFail` (the breakpoint)
 * is judged over a sliding window every second and stopped at the first window that breaks an SLO;
 * the arrival rate of the last window that held is its SLO capacity.
 */
export async function runProfile(options: RunOptions): Promise<LoadSummary> {
  const { profile } = options;
  const workers = options.workers ?? autoWorkers(profile, options.journeys);
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError(`workers must be a whole number ≥ 1, got ${workers}`);
  if (profile.abortOnFail && !isOpenModel(profile.scenario))
    throw new Error('the breakpoint search needs an arrival-rate executor (a rate to report)');
  if (workers > 1 && options.journeys)
    throw new Error('journeys other than the shop’s run in one thread (workers: 1)');
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const search = profile.abortOnFail
    ? new CapacitySearch(profile.scenario, options.windowS, options.windowMinRequests)
    : undefined;
  const { seconds: plannedS } = scenarioBounds(profile.scenario);
  let requests = 0;
  let errors = 0;

  const aggregate = new RunAggregate(workers, (second: Second) => {
    const point = aggregate.timeline.at(-1)!;
    requests += point.requests;
    errors += point.errors;
    options.onProgress?.({
      elapsedS: second.second + 1,
      plannedS,
      rate: point.requests,
      p95Ms: point.p95Ms,
      errors,
      requests,
      inFlight: second.inFlight,
      dropped: aggregate.dropped,
      sloOk: aggregate.verdicts().every((v) => v.passed),
      arrivalRate: isOpenModel(profile.scenario)
        ? levelAt(profile.scenario, second.second + 1)
        : second.arrivals,
    });
    if (!search) return false;
    const kept = search.observe(second);
    if (search.broken) stop.abort();
    return kept;
  });

  const config: Omit<ShareConfig, 'index' | 'startEpochMs'> = {
    target: options.target,
    profileName: options.profileName,
    profile,
    customers: options.customers,
    admin: options.admin,
    seed: options.seed ?? Date.now(),
    ...(options.loadKey ? { loadKey: options.loadKey } : {}),
    thinkScale: options.thinkScale ?? 1,
    requestTimeoutMs: options.requestTimeoutMs ?? 15_000,
    of: workers,
    drainMs: 30_000,
  };
  let startEpochMs = now();
  try {
    if (workers === 1) {
      startEpochMs = now() + 10;
      await runShare({ ...config, index: 0, startEpochMs }, (tick) => aggregate.add(tick), {
        signal: stop.signal,
        sameThread: true,
        ...(options.journeys ? { journeys: options.journeys } : {}),
      });
    } else {
      startEpochMs = await runInWorkers(config, workers, stop.signal, (tick) => aggregate.add(tick));
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const capacity = search?.capacity();
  search?.destroy();

  const summary = aggregate.summary({
    engine: 'node',
    profile: options.profileName,
    target: options.target,
    startedAtMs: startEpochMs,
    durationS: (now() - startEpochMs) / 1000,
    interrupted: Boolean(options.signal?.aborted),
    capacity,
  });
  aggregate.destroy();
  return summary;
}

/**
 * Starts the worker threads, waits until each has loaded, starts them all on one clock and
 * collects their ticks. Resolves with the start time once every worker is done; a worker that
 * fails stops the others and rejects with its error.
 */
async function runInWorkers(
  config: Omit<ShareConfig, 'index' | 'startEpochMs'>,
  count: number,
  signal: AbortSignal,
  onTick: (tick: Tick) => void,
): Promise<number> {
  const workers = Array.from(
    { length: count },
    (_, index) =>
      new Worker(new URL('./share-worker.mjs', import.meta.url), {
        workerData: { ...config, index },
      }),
  );
  const abortAll = () => workers.forEach((w) => w.postMessage({ type: 'abort' }));
  signal.addEventListener('abort', abortAll, { once: true });
  let startEpochMs = 0;
  try {
    let ready = 0;
    const done = workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          worker.on(
            'message',
            (
              message:
                | { type: 'ready' | 'done' }
                | { type: 'tick'; tick: Tick }
                | { type: 'failed'; message: string },
            ) => {
              if (message.type === 'ready' && ++ready === count) {
                startEpochMs = now() + 20;
                workers.forEach((w) => w.postMessage({ type: 'start', startEpochMs }));
              } else if (message.type === 'tick') onTick(message.tick);
              else if (message.type === 'done') resolve();
              else if (message.type === 'failed')
                reject(new Error(`a load worker failed: ${message.message}`));
            },
          );
          worker.on('error', reject);
          worker.on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`a load worker exited with code ${code}`)),
          );
        }),
    );
    await Promise.all(done).catch((error: unknown) => {
      abortAll();
      throw error;
    });
    return startEpochMs;
  } finally {
    signal.removeEventListener('abort', abortAll);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
