import * as hdr from 'hdr-histogram-js';
import { Pool } from 'undici';

export interface ConstantRateOptions {
  /** Absolute URL; every request goes to it. */
  url: string;
  /** Arrivals per second, spaced evenly on the clock. */
  rate: number;
  /** How long arrivals are scheduled for. */
  seconds: number;
  method?: string;
  headers?: Record<string, string>;
  /** Connections kept open to the target (requests beyond them wait for one and that wait counts). */
  connections?: number;
  /** A request still unanswered after this long counts as an error. */
  timeoutMs?: number;
}

export interface LatencySummary {
  /** Requests scheduled (`rate × seconds`). */
  scheduled: number;
  completed: number;
  /** Transport failures, timeouts and responses with status ≥ 400. */
  errors: number;
  /** Completed requests per second over the whole run, from first schedule to last answer. */
  achievedRate: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function latencyHistogram(): hdr.Histogram {
  // Microseconds, 1 µs to 60 s, 3 significant digits.
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

/**
 * An open-model load at a constant arrival rate: request i is due at `start + i / rate`, whether or
 * not earlier ones have been answered, and its latency is measured from that intended start, so a
 * stalled target shows up in the percentiles instead of slowing the load down (no coordinated
 * omission). Bounded by `rate × seconds` requests and by the per-request timeout.
 */
export async function constantRate(options: ConstantRateOptions): Promise<LatencySummary> {
  const { rate, seconds } = options;
  if (!(rate > 0) || !(seconds > 0))
    throw new RangeError(`rate and seconds must be positive (got ${rate}, ${seconds})`);
  const target = new URL(options.url);
  const pool = new Pool(target.origin, {
    connections: options.connections ?? 128,
    pipelining: 1,
    headersTimeout: options.timeoutMs ?? 10_000,
    bodyTimeout: options.timeoutMs ?? 10_000,
  });
  const histogram = latencyHistogram();
  const scheduled = Math.max(1, Math.floor(rate * seconds));
  const intervalMs = 1000 / rate;
  let sent = 0;
  let settled = 0;
  let errors = 0;
  const start = performance.now();

  const fire = async (intended: number) => {
    try {
      const response = await pool.request({
        path: `${target.pathname}${target.search}`,
        method: (options.method ?? 'GET') as 'GET',
        ...(options.headers ? { headers: options.headers } : {}),
      });
      await response.body.dump();
      if (response.statusCode >= 400) errors++;
    } catch {
      errors++;
    }
    histogram.recordValue(Math.max(1, Math.round((performance.now() - intended) * 1000)));
  };

  await new Promise<void>((resolve) => {
    const onSettled = () => {
      if (++settled === scheduled) resolve();
    };
    // Timers fire late under load; each tick sends every request that is due by now.
    const tick = () => {
      const now = performance.now();
      while (sent < scheduled && start + sent * intervalMs <= now) {
        void fire(start + sent * intervalMs).finally(onSettled);
        sent++;
      }
      if (sent < scheduled)
        setTimeout(tick, Math.max(0, Math.min(intervalMs, start + sent * intervalMs - now)));
    };
    tick();
  });
  const elapsedS = (performance.now() - start) / 1000;
  await pool.close();
  const at = (p: number) => histogram.getValueAtPercentile(p) / 1000;
  const summary = {
    scheduled,
    completed: settled,
    errors,
    achievedRate: settled / elapsedS,
    p50Ms: at(50),
    p90Ms: at(90),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: histogram.maxValue / 1000,
  };
  histogram.destroy();
  return summary;
}
