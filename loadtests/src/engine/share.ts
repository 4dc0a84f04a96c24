import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { canRun, JOURNEYS, type Journey, type JourneyContext } from '../model/journeys.ts';
import { LOAD_MARK_HEADER } from '../model/load-mark.ts';
import { journeyOf, rollOf, seeded } from '../model/mix.ts';
import { isOpenModel, levelAt, peakLevel, scenarioBounds, type Profile } from '../model/profiles.ts';
import { nodeLoadMarker } from './node-load-mark.ts';
import { arrivals } from './schedule.ts';
import { Tally, TallyMap, type WireTally } from './tally.ts';

export interface Account {
  email: string;
  password: string;
}

/** Everything one share of a run needs; plain data, so it crosses into a worker thread as it is. */
export interface ShareConfig {
  target: string;
  profileName: string;
  profile: Profile;
  customers: Account[];
  admin: Account;
  /** Seeds the journey of each iteration (by its number) and the think times and picks. */
  seed: number;
  /** Signs the mark every request carries (the stack's load key); none: requests go unmarked. */
  loadKey?: string;
  thinkScale: number;
  requestTimeoutMs: number;
  /** This share starts arrivals `index`, `index + of`, `index + 2·of`, … of the profile's schedule. */
  index: number;
  of: number;
  /** When arrival 0 is due, in ms since the epoch (`performance.timeOrigin + now`): one clock for all threads. */
  startEpochMs: number;
  /** Grace for iterations in flight after the last arrival. */
  drainMs: number;
}

/** One second of one share: what it started and what was answered in it. */
export interface Tick {
  share: number;
  second: number;
  arrivals: number;
  dropped: number;
  inFlight: number;
  /** Encoded when the tick crosses threads; the tallies themselves (handed over) within one. */
  endpoints: Record<string, WireTally | Tally>;
  journeys: Record<string, WireTally | Tally>;
  /** The share's last tick (it is done). */
  last: boolean;
}

const now = () => performance.timeOrigin + performance.now();

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const onAbort = () => (clearTimeout(timer), resolve());
    const timer = setTimeout(() => (signal?.removeEventListener('abort', onAbort), resolve()), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

class StepFailed extends Error {}

/**
 * One share of a run (the whole run when there is one thread): starts its journey iterations when
 * the clock says (open model), at most its part of `maxVUs` in flight (beyond that an arrival is
 * dropped and counted, as k6 does), measures each request from when it was due (so a stall shows in
 * the percentiles), and hands over a tick every second. Bounded by the profile's schedule plus the
 * drain grace; an abort stops new iterations at once and cuts those in flight within a second.
 */
export async function runShare(
  config: ShareConfig,
  onTick: (tick: Tick) => void,
  options: {
    signal?: AbortSignal;
    journeys?: Record<string, Journey>;
    /** Ticks stay in this thread: hand the tallies over as they are instead of encoding them. */
    sameThread?: boolean;
  } = {},
): Promise<void> {
  const { profile } = config;
  const { signal } = options;
  const scenario = profile.scenario;
  const maxInFlight = isOpenModel(scenario)
    ? Math.max(1, Math.floor(scenario.maxVUs / config.of))
    : Math.max(1, Math.ceil(peakLevel(scenario) / config.of));
  const pool = new Pool(new URL(config.target).origin, {
    // Most iterations in flight are thinking, not waiting for an answer; a burst of new connections
    // at the start would stall the first second (requests beyond these queue, and that counts).
    connections: Math.min(64, maxInFlight),
    pipelining: 1,
    headersTimeout: config.requestTimeoutMs,
    bodyTimeout: config.requestTimeoutMs,
  });
  const known: Record<string, Journey> = options.journeys ?? JOURNEYS;
  const weights = Object.entries(profile.mix) as [string, number][];
  for (const [name] of weights)
    if (!known[name]) throw new Error(`the profile's mix names "${name}", which is not a journey`);
  const random = seeded(config.seed + config.index);
  /** Iteration n's journey: a function of the seed and n alone, so a seeded run repeats its mix. */
  const journeyFor = (n: number): Journey => known[journeyOf(profile.mix, rollOf(config.seed, n))]!;
  const synthetic = { 'x-synthetic-load': `node:${config.profileName}` };
  const mark = config.loadKey ? nodeLoadMarker(config.loadKey) : undefined;

  // The current second's tallies; handed over and replaced at each second boundary.
  let endpoints = new TallyMap();
  let journeys = new TallyMap();
  let started = 0;
  let dropped = 0;
  let inFlight = 0;
  let second = 0;
  const handOver = (last: boolean) => {
    onTick({
      share: config.index,
      second,
      arrivals: started,
      dropped,
      inFlight,
      endpoints: options.sameThread ? Object.fromEntries(endpoints.byName) : endpoints.toWire(),
      journeys: options.sameThread ? Object.fromEntries(journeys.byName) : journeys.toWire(),
      last,
    });
    if (!options.sameThread) {
      endpoints.destroy();
      journeys.destroy();
    }
    endpoints = new TallyMap();
    journeys = new TallyMap();
    started = 0;
    dropped = 0;
    second++;
  };
  let ticker: NodeJS.Timeout | undefined;
  const scheduleTick = () => {
    ticker = setTimeout(
      () => {
        handOver(false);
        scheduleTick();
      },
      Math.max(0, config.startEpochMs + (second + 1) * 1000 - now()),
    );
  };

  const request = async (
    journey: Journey | undefined,
    step: Journey['steps'][number],
    ctx: JourneyContext,
    due: number,
  ): Promise<unknown> => {
    const headers: Record<string, string> = { ...synthetic, accept: 'application/json' };
    if (mark) headers[LOAD_MARK_HEADER] = mark(Date.now());
    const body = step.body ? JSON.stringify(step.body(ctx)) : undefined;
    if (body) headers['content-type'] = 'application/json';
    if (step.auth) headers.authorization = `Bearer ${ctx.vars.token}`;
    if (step.idempotencyKey) headers['idempotency-key'] = randomUUID();
    let status = 0;
    let ok = false;
    let parsed: unknown;
    // Arrivals are sent up to a millisecond early (timer granularity): measure from the earlier of
    // when it was due and when it went, so a late send counts and an early one is not flattered.
    const sentAt = now();
    try {
      const response = await pool.request({
        path: step.path(ctx),
        method: step.method,
        headers,
        ...(body ? { body } : {}),
      });
      status = response.statusCode;
      ok = step.expect.includes(status);
      if (ok && step.extract) {
        const text = await response.body.text();
        parsed = text ? JSON.parse(text) : undefined;
      } else await response.body.dump();
    } catch {
      // Cut by our own stop (Ctrl-C, the breakpoint): not the target's failure, so not counted.
      if (signal?.aborted) throw new StepFailed();
      ok = false;
    }
    const latencyMs = now() - Math.min(due, sentAt);
    endpoints.get(step.endpoint).record(latencyMs, status, ok);
    if (journey) journeys.get(journey.name).record(latencyMs, status, ok);
    if (!ok) throw new StepFailed();
    return parsed;
  };

  const iteration = async (journey: Journey, arrival: number, due: number) => {
    const ctx: JourneyContext = { vars: {}, random };
    if (journey.actsAs === 'admin') Object.assign(ctx.vars, config.admin);
    if (journey.actsAs === 'customer' && config.customers.length)
      Object.assign(ctx.vars, config.customers[arrival % config.customers.length]);
    try {
      // A journey acting as someone who does not sign in as a step gets a token first.
      // It counts for the endpoint, not for the journey, which starts once signed in.
      if (journey.actsAs && !journey.steps.some((s) => s.endpoint === 'POST /api/auth/token')) {
        const signIn = JOURNEYS['sign-in'].steps[0]!;
        signIn.extract?.(await request(undefined, signIn, ctx, due), ctx);
        due = now();
      }
      for (const step of journey.steps) {
        if (signal?.aborted || !canRun(step, ctx)) return;
        const answer = await request(journey, step, ctx, due);
        step.extract?.(answer, ctx);
        if (step.thinkMs && config.thinkScale > 0) {
          const [min, max] = step.thinkMs;
          await sleep((min + random() * (max - min)) * config.thinkScale, signal);
        }
        due = now();
      }
    } catch (error) {
      // A failed step is counted; the iteration ends, as a person would stop at an error page.
      if (!(error instanceof StepFailed)) throw error;
    }
  };

  // An abort cuts the requests in flight (one listener here, not one per request).
  const cut = () => void pool.destroy().catch(() => {});
  signal?.addEventListener('abort', cut, { once: true });
  const running = new Set<Promise<void>>();
  scheduleTick();
  try {
    if (isOpenModel(scenario)) {
      let arrival = 0;
      for (const offset of arrivals(scenario)) {
        if (arrival++ % config.of !== config.index) continue;
        if (signal?.aborted) break;
        const due = config.startEpochMs + offset;
        const wait = due - now();
        if (wait > 1) await sleep(wait, signal);
        if (signal?.aborted) break;
        if (inFlight >= maxInFlight) {
          dropped++;
          continue;
        }
        started++;
        inFlight++;
        const done: Promise<void> = iteration(journeyFor(arrival - 1), arrival - 1, due).finally(() => {
          inFlight--;
          running.delete(done);
        });
        running.add(done);
      }
    } else {
      // The closed model: this share's VUs (every n-th) each run iterations back to back while the
      // scenario's VU level includes them, until the end or the iteration bound.
      const { seconds, maxIterations } = scenarioBounds(scenario);
      const endAt = config.startEpochMs + seconds * 1000;
      const cap = Math.ceil(maxIterations / config.of);
      let iterations = 0;
      const vu = async (v: number) => {
        await sleep(config.startEpochMs - now(), signal);
        while (!signal?.aborted && now() < endAt && iterations < cap) {
          if (v >= Math.round(levelAt(scenario, (now() - config.startEpochMs) / 1000))) {
            await sleep(250, signal); // not ramped in yet, or ramped out
            continue;
          }
          const journey = journeyFor(config.index + config.of * iterations++);
          started++;
          inFlight++;
          await iteration(journey, v, now()).finally(() => inFlight--);
        }
      };
      const mine = Array.from({ length: peakLevel(scenario) }, (_, v) => v).filter(
        (v) => v % config.of === config.index,
      );
      await Promise.all(mine.map(vu));
    }
    const grace = new AbortController();
    await Promise.race([
      Promise.allSettled([...running]),
      sleep(signal?.aborted ? 1000 : config.drainMs, grace.signal),
    ]);
    grace.abort(); // the drain's timer must not keep the process alive
  } finally {
    signal?.removeEventListener('abort', cut);
    clearTimeout(ticker);
    await pool.destroy().catch(() => {});
    handOver(true);
    if (!options.sameThread) {
      endpoints.destroy();
      journeys.destroy();
    }
  }
}
