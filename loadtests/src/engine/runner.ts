import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { JOURNEYS, type Journey, type JourneyContext } from '../model/journeys.ts';
import type { Profile } from '../model/profiles.ts';
import { judge, type JourneyName } from '../model/slo.ts';
import type { LoadSummary, SubjectFigures } from '../model/summary.ts';
import { latencyHistogram } from './open-loop.ts';
import { arrivals } from './schedule.ts';

export interface Account {
  email: string;
  password: string;
}

export interface RunOptions {
  target: string;
  profileName: string;
  profile: Profile;
  customers: Account[];
  admin: Account;
  /** Aborting stops new iterations at once and cuts the ones in flight within a second. */
  signal?: AbortSignal;
  /** Called about once a second. */
  onProgress?: (progress: Progress) => void;
  /** Seeds the journey choice and the think times (the arrival times are fixed by the profile). */
  seed?: number;
  /** Think time is scaled by this (1: as the journeys say). */
  thinkScale?: number;
  requestTimeoutMs?: number;
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
}

class Subject {
  readonly histogram = latencyHistogram();
  requests = 0;
  errors = 0;

  record(latencyMs: number, ok: boolean): void {
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
    this.requests++;
    if (!ok) this.errors++;
  }

  figures(): SubjectFigures {
    const at = (p: number) => this.histogram.getValueAtPercentile(p) / 1000;
    return {
      requests: this.requests,
      errors: this.errors,
      p50Ms: at(50),
      p95Ms: at(95),
      p99Ms: at(99),
      maxMs: this.histogram.maxValue / 1000,
    };
  }
}

/** A small seeded generator (mulberry32): the same seed makes the same journey choices. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * The Node engine: runs a profile's journeys at its arrival rates (open model: iteration i starts
 * when the clock says, however slow the target is), at most `maxVUs` iterations in flight (beyond
 * that an arrival is dropped and counted, as k6 does). Each request's latency is measured from when
 * it was due, so a stall shows in the percentiles. Bounded by the profile's schedule; in-flight
 * iterations get 30 s to finish after the last arrival.
 */
export async function runProfile(options: RunOptions): Promise<LoadSummary> {
  const { profile, signal } = options;
  const scenario = profile.scenario;
  const origin = new URL(options.target).origin;
  const pool = new Pool(origin, {
    connections: Math.min(256, scenario.maxVUs),
    pipelining: 1,
    headersTimeout: options.requestTimeoutMs ?? 15_000,
    bodyTimeout: options.requestTimeoutMs ?? 15_000,
  });
  const random = seeded(options.seed ?? Date.now());
  const endpoints = new Map<string, Subject>();
  const journeys = new Map<string, Subject>();
  const subject = (map: Map<string, Subject>, name: string) => {
    let s = map.get(name);
    if (!s) map.set(name, (s = new Subject()));
    return s;
  };
  const window = { histogram: latencyHistogram(), requests: 0 };
  let requests = 0;
  let errors = 0;
  let dropped = 0;
  let inFlight = 0;
  let customer = 0;
  const weights = Object.entries(profile.mix) as [JourneyName, number][];
  const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0);
  const choose = (): Journey => {
    let roll = random() * totalWeight;
    for (const [name, weight] of weights) if ((roll -= weight) < 0) return JOURNEYS[name];
    return JOURNEYS[weights[0]![0]];
  };
  const synthetic = { 'x-synthetic-load': `node:${options.profileName}` };

  const request = async (
    journey: Journey | undefined,
    step: Journey['steps'][number],
    ctx: JourneyContext,
    due: number,
  ): Promise<unknown> => {
    const headers: Record<string, string> = { ...synthetic, accept: 'application/json' };
    const body = step.body ? JSON.stringify(step.body(ctx)) : undefined;
    if (body) headers['content-type'] = 'application/json';
    if (step.auth) headers.authorization = `Bearer ${ctx.vars.token}`;
    if (step.idempotencyKey) headers['idempotency-key'] = randomUUID();
    let ok = false;
    let parsed: unknown;
    try {
      const response = await pool.request({
        path: step.path(ctx),
        method: step.method,
        headers,
        ...(body ? { body } : {}),
        ...(signal ? { signal } : {}),
      });
      const text = await response.body.text();
      ok = step.expect.includes(response.statusCode);
      if (ok && step.extract) parsed = text ? JSON.parse(text) : undefined;
    } catch {
      ok = false;
    }
    const latencyMs = performance.now() - due;
    subject(endpoints, step.endpoint).record(latencyMs, ok);
    if (journey) subject(journeys, journey.name).record(latencyMs, ok);
    window.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
    window.requests++;
    requests++;
    if (!ok) {
      errors++;
      throw new Error('step failed');
    }
    return parsed;
  };

  const iteration = async (due: number) => {
    const journey = choose();
    const ctx: JourneyContext = { vars: {}, random };
    if (journey.actsAs === 'admin') Object.assign(ctx.vars, options.admin);
    if (journey.actsAs === 'customer' && options.customers.length) {
      Object.assign(ctx.vars, options.customers[customer++ % options.customers.length]);
    }
    try {
      // A journey acting as someone who does not sign in as a step gets a token first.
      // It counts for the endpoint, not for the journey, which starts once signed in.
      if (journey.actsAs && !journey.steps.some((s) => s.endpoint === 'POST /api/auth/token')) {
        const signIn = JOURNEYS['sign-in'].steps[0]!;
        const answer = await request(undefined, signIn, ctx, due);
        signIn.extract?.(answer, ctx);
        due = performance.now();
      }
      for (const step of journey.steps) {
        if (signal?.aborted) return;
        const answer = await request(journey, step, ctx, due);
        if (step.extract) step.extract(answer, ctx);
        const [min, max] = step.thinkMs ?? [0, 0];
        const think = (min + random() * (max - min)) * (options.thinkScale ?? 1);
        await sleep(think, signal);
        due = performance.now();
      }
    } catch {
      // The step is counted; the iteration ends, as a person would stop at an error page.
    }
  };

  const started = performance.now();
  const plannedS = (() => {
    let last = 0;
    for (const t of arrivals(scenario)) last = t;
    return Math.ceil(last / 1000);
  })();
  const progress = setInterval(() => {
    const p95Ms = window.histogram.getValueAtPercentile(95) / 1000;
    const verdicts = judge(figuresOf(endpoints, journeys));
    options.onProgress?.({
      elapsedS: (performance.now() - started) / 1000,
      plannedS,
      rate: window.requests,
      p95Ms,
      errors,
      requests,
      inFlight,
      dropped,
      sloOk: verdicts.every((v) => v.passed),
    });
    window.histogram.reset();
    window.requests = 0;
  }, 1000);

  const running = new Set<Promise<void>>();
  try {
    for (const offset of arrivals(scenario)) {
      if (signal?.aborted) break;
      const due = started + offset;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait, signal);
      if (signal?.aborted) break;
      if (inFlight >= scenario.maxVUs) {
        dropped++;
        continue;
      }
      inFlight++;
      const done: Promise<void> = iteration(due).finally(() => {
        inFlight--;
        running.delete(done);
      });
      running.add(done);
    }
    const grace = signal?.aborted ? 1000 : 30_000;
    await Promise.race([Promise.allSettled([...running]), sleep(grace)]);
  } finally {
    clearInterval(progress);
    await pool.destroy();
  }

  const figures = figuresOf(endpoints, journeys);
  const verdicts = judge(figures);
  for (const s of [...endpoints.values(), ...journeys.values()]) s.histogram.destroy();
  window.histogram.destroy();
  return {
    format: 'stackdrill-load-summary/1',
    engine: 'node',
    profile: options.profileName,
    target: options.target,
    durationS: (performance.now() - started) / 1000,
    ...figures,
    verdicts,
    passed: verdicts.every((v) => v.passed),
    droppedIterations: dropped,
    interrupted: Boolean(signal?.aborted),
  };
}

function figuresOf(endpoints: Map<string, Subject>, journeys: Map<string, Subject>) {
  const of = (map: Map<string, Subject>) =>
    Object.fromEntries([...map].map(([name, s]) => [name, s.figures()])) as Record<string, SubjectFigures>;
  return { endpoints: of(endpoints), journeys: of(journeys) };
}
