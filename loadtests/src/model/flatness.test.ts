import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { Tally } from '../engine/tally.ts';
import { FLAT_MAX_RATIO, judgeFlatness, withFlatness } from './flatness.ts';
import type { FlatnessRow, LoadSummary, MinutePoint } from './summary.ts';
import { TEST_RUN } from '../testing/summaries.ts';

/** `count` latencies (ms) spread evenly over [low, high): their p95 is low + 0.95 · (high − low). */
const spread = (count: number, low: number, high: number) =>
  Array.from({ length: count }, (_, i) => low + ((high - low) * (i + 0.5)) / count);

/** One minute of one endpoint, recorded the way the engine does (a Tally, µs) and encoded as the summary keeps it. */
function minute(index: number, latenciesMs: number[]): MinutePoint {
  const tally = new Tally();
  for (const ms of latenciesMs) tally.record(ms, 200, true);
  const point = {
    minute: index,
    requests: tally.requests,
    p95Ms: tally.percentileMs(95),
    histogram: hdr.encodeIntoCompressedBase64(tally.histogram),
  };
  tally.destroy();
  return point;
}

/** A run of `length` minutes, minute m's latencies made by `latencies(m)`. */
const run = (length: number, latencies: (m: number) => number[]) =>
  Array.from({ length }, (_, m) => minute(m, latencies(m)));

const judged = (row: FlatnessRow | undefined) => {
  expect(row?.judged, `${row?.endpoint} judged`).toBe(true);
  return row as Extract<FlatnessRow, { judged: true }>;
};

describe('whether p95 stayed flat over a soak', () => {
  it('when every minute has the same latencies, then each endpoint is judged flat over minutes 5-10 and the last 5', () => {
    const flat = judgeFlatness(
      {
        'GET /api/products': run(30, () => spread(100, 10, 110)),
        'POST /api/orders': run(30, () => spread(60, 200, 400)),
      },
      30 * 60 + 12, // the drain's partial minute 30 is not a whole minute
    );
    expect(flat).toMatchObject({
      judged: true,
      passed: true,
      runMinutes: 30,
      baselineMinutes: [5, 10],
      tailMinutes: [25, 30],
      maxRatio: 1.2,
    });
    const products = judged(flat.endpoints.find((r) => r.endpoint === 'GET /api/products'));
    expect(products.baseline).toMatchObject({ fromMinute: 5, toMinute: 10, requests: 500 });
    expect(products.tail).toMatchObject({ fromMinute: 25, toMinute: 30, requests: 500 });
    expect(products.baseline.p95Ms).toBeCloseTo(104.5, 0);
    expect(products.ratio).toBeCloseTo(1, 3);
    expect(products.passed).toBe(true);
    expect(flat.endpoints.map((r) => r.endpoint)).toEqual(['GET /api/products', 'POST /api/orders']);
  });

  it('when one endpoint’s last 5 minutes are 30 % slower, then it drifted and the check fails; 10 % slower is still flat', () => {
    const flat = judgeFlatness(
      {
        'GET /api/products': run(30, (m) => spread(100, 10, 110).map((ms) => (m >= 25 ? ms * 1.3 : ms))),
        'GET /api/users/me': run(30, (m) => spread(100, 10, 110).map((ms) => (m >= 25 ? ms * 1.1 : ms))),
      },
      30 * 60,
    );
    expect(flat.passed).toBe(false);
    const products = judged(flat.endpoints[0]);
    expect(products.ratio).toBeCloseTo(1.3, 2);
    expect(products.passed).toBe(false);
    const me = judged(flat.endpoints[1]);
    expect(me.ratio).toBeCloseTo(1.1, 2);
    expect(me.ratio).toBeLessThanOrEqual(FLAT_MAX_RATIO);
    expect(me.passed).toBe(true);
  });

  it('when the run is shorter than 15 whole minutes, then nothing is judged and nothing fails', () => {
    const minutes = { 'GET /api/products': run(15, (m) => spread(100, 10, 110).map((ms) => ms * (1 + m))) };
    const short = judgeFlatness(minutes, 15 * 60 - 1);
    expect(short).toMatchObject({ judged: false, passed: true, runMinutes: 14, endpoints: [] });
    expect(short.reason).toMatch(/14 whole minutes.*at least 15/);
    expect(short.tailMinutes).toBeUndefined();
    // At 15 minutes the tail is minutes 10-15, right after the baseline (and here far slower).
    const long = judgeFlatness(minutes, 15 * 60);
    expect(long).toMatchObject({ judged: true, passed: false, tailMinutes: [10, 15] });
  });

  it('reads each span’s p95 from its merged histograms, not from the minutes’ p95s', () => {
    // Minutes 5-10: one minute of ~1,000 ms answers and four of ~10 ms, so a fifth of the span is slow
    // and its p95 is ~1,000 ms; the mean of the five minutes' p95s would be ~212 ms. The tail answers in
    // ~500 ms throughout: half the baseline's p95 (flat), where averaged p95s would say 2.4 times (drifted).
    const points = run(20, (m) =>
      m >= 15 ? spread(100, 495, 505) : m === 5 ? spread(100, 995, 1005) : spread(100, 5, 15),
    );
    const averaged =
      points.filter((p) => p.minute >= 5 && p.minute < 10).reduce((s, p) => s + p.p95Ms, 0) / 5;
    expect(averaged).toBeCloseTo(212.5, 0);
    // The minutes' own p95s are not read at all.
    const flat = judgeFlatness({ 'GET /api/products': points.map((p) => ({ ...p, p95Ms: -1 })) }, 20 * 60);
    const row = judged(flat.endpoints[0]);
    expect(row.baseline.p95Ms).toBeCloseTo(1002.5, 0);
    expect(row.tail.p95Ms).toBeCloseTo(504.5, 0);
    expect(row.ratio).toBeCloseTo(0.5, 2);
    expect(flat.passed).toBe(true);
  });

  it('when an endpoint has fewer than 50 requests in a span, then it is not judged, and neither passes nor fails', () => {
    const flat = judgeFlatness(
      {
        // 9 requests a minute: 45 in each span. Its tail is far slower, which must not count.
        'GET /api/analytics/dashboard': run(30, (m) => spread(9, m >= 25 ? 900 : 100, m >= 25 ? 1000 : 200)),
        // Only in the first minutes: none in the tail.
        'POST /api/users': run(12, () => spread(20, 100, 200)),
        'GET /api/products': run(30, () => spread(100, 10, 110)),
      },
      30 * 60,
    );
    expect(flat).toMatchObject({ judged: true, passed: true });
    const [dashboard, products, users] = flat.endpoints;
    expect(dashboard).toMatchObject({
      judged: false,
      reason: '45 requests in minutes 5-10, 45 requests in minutes 25-30 (fewer than 50)',
    });
    expect(dashboard).not.toHaveProperty('passed');
    expect(judged(products).passed).toBe(true);
    expect(users).toMatchObject({
      judged: false,
      baseline: { requests: 100 },
      tail: { requests: 0, p95Ms: 0 },
      reason: '0 requests in minutes 25-30 (fewer than 50)',
    });
  });

  it('when no endpoint has enough requests, or the summary has no minutes, then it says why it is not judged', () => {
    const few = judgeFlatness({ 'GET /api/products': run(30, () => spread(5, 10, 20)) }, 30 * 60);
    expect(few).toMatchObject({ judged: false, passed: true, tailMinutes: [25, 30] });
    expect(few.reason).toBe('no endpoint had 50 requests in both minutes 5-10 and minutes 25-30');
    expect(few.endpoints).toHaveLength(1);
    expect(judgeFlatness(undefined, 30 * 60)).toMatchObject({
      judged: false,
      passed: true,
      reason: 'the summary has no per-minute figures',
    });
  });

  it('when judged into a summary, then a drift fails the run, and a check not judged leaves it as the SLOs left it', () => {
    const soak = (minutes: LoadSummary['minutes'], durationS: number, passed = true): LoadSummary => ({
      ...TEST_RUN,
      profile: 'soak',
      durationS,
      endpoints: {},
      journeys: {},
      verdicts: [],
      passed,
      minutes,
    });
    const drifting = { 'GET /api/products': run(30, (m) => spread(100, 10, m >= 25 ? 160 : 110)) };
    const drifted = withFlatness(soak(drifting, 30 * 60));
    expect(drifted.passed).toBe(false);
    expect(drifted.flatness).toMatchObject({ judged: true, passed: false });
    const flat = withFlatness(soak({ 'GET /api/products': run(30, () => spread(100, 10, 110)) }, 30 * 60));
    expect(flat).toMatchObject({ passed: true, flatness: { judged: true, passed: true } });
    const short = withFlatness(soak(drifting, 10 * 60));
    expect(short).toMatchObject({ passed: true, flatness: { judged: false } });
    // A broken SLO stays broken, however flat.
    expect(withFlatness(soak(flat.minutes, 30 * 60, false)).passed).toBe(false);
  });
});
