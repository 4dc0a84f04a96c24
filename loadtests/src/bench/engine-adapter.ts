import { runProfile } from '../engine/runner.ts';
import type { Journey } from '../model/journeys.ts';
import type { Profile } from '../model/profiles.ts';
import type { LoadSummary } from '../model/summary.ts';

/** One constant-rate run of the engine against the hello server. */
export interface EngineRun {
  /** The hello server's origin, e.g. `http://127.0.0.1:40123`. */
  target: string;
  /** Arrivals per second (one request each). */
  rate: number;
  seconds: number;
  /** The profile's maxVUs: arrivals beyond this many in flight are dropped. */
  maxInFlight: number;
  signal?: AbortSignal;
}

/** What the bench reads from the engine's summary. */
export interface EngineFigures {
  rate: number;
  plannedS: number;
  durationS: number;
  requests: number;
  errors: number;
  dropped: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export const HELLO_ENDPOINT = 'GET /hello';

/**
 * The hello journey (one GET /) and a constant-arrival-rate profile running only it. The model's
 * types name the shop's journeys and endpoints; these are not among them, so the casts live here
 * and nowhere else.
 */
export function helloWorkload(run: Pick<EngineRun, 'rate' | 'seconds' | 'maxInFlight'>): {
  journeys: Record<string, Journey>;
  profile: Profile;
} {
  const hello = {
    name: 'hello',
    steps: [{ endpoint: HELLO_ENDPOINT, method: 'GET', path: () => '/', expect: [200] }],
  } as unknown as Journey;
  const profile = {
    description: `GET / at ${run.rate}/s (bench:engine)`,
    scenario: {
      executor: 'constant-arrival-rate',
      rate: run.rate,
      duration: `${run.seconds}s`,
      preAllocatedVUs: run.maxInFlight,
      maxVUs: run.maxInFlight,
    },
    mix: { hello: 1 },
  } as unknown as Profile;
  return { journeys: { hello }, profile };
}

/**
 * The one place the bench calls the engine: a change of `runProfile`'s signature is fixed here.
 * One thread (`workers: 1`): the engine runs journeys other than the shop's in one thread, and the
 * bench gives every generator the same cores anyway.
 */
export function runEngine(run: EngineRun): Promise<LoadSummary> {
  const { journeys, profile } = helloWorkload(run);
  return runProfile({
    target: run.target,
    profileName: 'bench-engine',
    profile,
    customers: [],
    admin: { email: '', password: '' },
    journeys,
    workers: 1,
    seed: 1,
    thinkScale: 0,
    requestTimeoutMs: 10_000,
    ...(run.signal ? { signal: run.signal } : {}),
  });
}

/** The hello endpoint's figures from a summary (zeros when it measured nothing). */
export function engineFigures(run: Pick<EngineRun, 'rate' | 'seconds'>, summary: LoadSummary): EngineFigures {
  const hello = summary.endpoints[HELLO_ENDPOINT];
  return {
    rate: run.rate,
    plannedS: run.seconds,
    durationS: summary.durationS,
    requests: hello?.requests ?? 0,
    errors: hello?.errors ?? 0,
    dropped: summary.droppedIterations ?? 0,
    p50Ms: hello?.p50Ms ?? 0,
    p95Ms: hello?.p95Ms ?? 0,
    p99Ms: hello?.p99Ms ?? 0,
  };
}
