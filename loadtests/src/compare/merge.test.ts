import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { latencyHistogram } from '../engine/open-loop.ts';
import { fromK6Summary, SUMMARY_FORMAT, type LoadSummary, type SubjectFigures } from '../model/summary.ts';
import { mergeSummaries, SummaryError } from './merge.ts';
import { TEST_RUN } from '../testing/summaries.ts';

/** Deterministic latencies (ms), uniform in [low, high). */
function latencies(count: number, low: number, high: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return low + (state / 2 ** 31) * (high - low);
  });
}

/** Records latencies (ms) the way the engine does (µs) and reads what a summary would say. */
function measure(valuesMs: number[]): {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  encoded: string;
} {
  const h = latencyHistogram();
  for (const v of valuesMs) h.recordValue(Math.max(1, Math.round(v * 1000)));
  const at = (p: number) => h.getValueAtPercentile(p) / 1000;
  const figures = { p50Ms: at(50), p95Ms: at(95), p99Ms: at(99), maxMs: h.maxValue / 1000 };
  const encoded = hdr.encodeIntoCompressedBase64(h);
  h.destroy();
  return { ...figures, encoded };
}

function figures(valuesMs: number[], errors = 0): SubjectFigures {
  const { encoded, ...percentiles } = measure(valuesMs);
  return {
    requests: valuesMs.length,
    errors,
    ...percentiles,
    histogram: encoded,
    statuses: { 200: valuesMs.length - errors, ...(errors ? { 503: errors } : {}) },
  };
}

function summary(
  endpoints: Record<string, number[]>,
  overrides: Partial<LoadSummary> & { seconds?: number[][] } = {},
): LoadSummary {
  const { seconds = [], ...rest } = overrides;
  return {
    ...TEST_RUN,
    durationS: 60,
    endpoints: Object.fromEntries(Object.entries(endpoints).map(([name, v]) => [name, figures(v)])),
    journeys: { browse: figures(Object.values(endpoints).flat()) },
    verdicts: [],
    passed: true,
    timeline: seconds.map((values, second) => {
      const { encoded, p50Ms, p95Ms, p99Ms } = measure(values);
      return {
        second,
        arrivals: values.length,
        requests: values.length,
        errors: 0,
        p50Ms,
        p95Ms,
        p99Ms,
        histogram: encoded,
      };
    }),
    droppedIterations: 0,
    ...rest,
  };
}

describe('merging the summaries of several runners', () => {
  // One runner saw a fast endpoint, the other mostly slow answers: the p95 of all requests is far
  // from the mean of the two p95s.
  const fast = latencies(10_000, 5, 15, 1);
  const slow = latencies(2_000, 400, 600, 2);

  it('when two runners measured different latencies, then the percentiles are those of all requests together', () => {
    const merged = mergeSummaries([
      summary({ 'GET /api/products': fast }),
      summary({ 'GET /api/products': slow }),
    ]);
    const all = measure([...fast, ...slow]);
    const got = merged.endpoints['GET /api/products']!;
    expect(got.requests).toBe(12_000);
    expect(got.p50Ms).toBe(all.p50Ms);
    expect(got.p95Ms).toBe(all.p95Ms);
    expect(got.p99Ms).toBe(all.p99Ms);
    expect(got.maxMs).toBe(all.maxMs);
    expect(merged.journeys.browse!.p95Ms).toBe(all.p95Ms);
    // What averaging the runners' p95s would have said instead: off by more than 200 ms.
    const averaged = (measure(fast).p95Ms + measure(slow).p95Ms) / 2;
    expect(Math.abs(averaged - got.p95Ms)).toBeGreaterThan(200);
    // The merged histogram is kept, so merged summaries merge again and serve as baselines.
    const decoded = hdr.decodeFromCompressedBase64(got.histogram!);
    expect(decoded.totalCount).toBe(12_000);
    decoded.destroy();
  });

  it('when runners report counts, then requests, errors, statuses, drops and runners are summed', () => {
    const a = summary({ 'GET /api/products': fast }, { droppedIterations: 3 });
    a.endpoints['GET /api/products'] = figures(fast, 10);
    const b = summary(
      { 'GET /api/products': slow, 'POST /api/orders': slow },
      { droppedIterations: 4, runners: 2 },
    );
    const merged = mergeSummaries([a, b]);
    expect(merged.endpoints['GET /api/products']).toMatchObject({
      requests: 12_000,
      errors: 10,
      statuses: { 200: 11_990, 503: 10 },
    });
    // A subject only one runner saw is carried over.
    expect(merged.endpoints['POST /api/orders']!.requests).toBe(2_000);
    expect(merged.droppedIterations).toBe(7);
    expect(merged.runners).toBe(3);
    expect(merged.format).toBe(SUMMARY_FORMAT);
  });

  it('when the runners verdicts are stale, then the merged figures are judged again', () => {
    const passing = { subject: 'endpoint GET /api/products', passed: true } as LoadSummary['verdicts'][0];
    const merged = mergeSummaries([
      summary({ 'GET /api/products': fast }, { verdicts: [passing], passed: true }),
      summary({ 'GET /api/products': slow }, { verdicts: [passing], passed: true }),
    ]);
    const verdict = merged.verdicts.find((v) => v.subject === 'endpoint GET /api/products')!;
    expect(verdict.measured.p95Ms).toBe(merged.endpoints['GET /api/products']!.p95Ms);
    expect(verdict.passed).toBe(false);
    expect(merged.passed).toBe(false);
  });

  it('when runners started at different moments, then their timelines are aligned on the clock', () => {
    const s = (n: number, seed: number, low: number) => latencies(n, low, low + 50, seed);
    const a = summary(
      { 'GET /api/products': fast },
      { seconds: [s(100, 3, 10), s(100, 4, 10), s(100, 5, 10)] },
    );
    // B started 1.2 s later: its second 0 is the run's second 1.
    const b = summary(
      { 'GET /api/products': slow },
      { startedAt: '2025-01-01T02:00:01.200Z', durationS: 59, seconds: [s(50, 6, 300), s(50, 7, 300)] },
    );
    const merged = mergeSummaries([a, b]);
    expect(merged.startedAt).toBe('2025-01-01T02:00:00.000Z');
    expect(merged.durationS).toBeCloseTo(60.2);
    expect(merged.timeline!.map((p) => [p.second, p.requests, p.arrivals])).toEqual([
      [0, 100, 100],
      [1, 150, 150],
      [2, 150, 150],
    ]);
    const second1 = measure([...s(100, 4, 10), ...s(50, 6, 300)]);
    expect(merged.timeline![1]).toMatchObject({
      p50Ms: second1.p50Ms,
      p95Ms: second1.p95Ms,
      p99Ms: second1.p99Ms,
    });
  });

  it('when a summary has no histograms (k6 own summary), then it refuses and names the file', () => {
    const k6 = fromK6Summary(
      {
        state: { testRunDurationMs: 60_000 },
        metrics: {
          'http_req_duration{name:GET /api/products}': { values: { med: 5, 'p(95)': 9, count: 10 } },
        },
      },
      { profile: 'average', target: 'http://127.0.0.1:8080' },
    );
    k6.startedAt = '2025-01-01T02:00:00.000Z';
    const merging = () => mergeSummaries([summary({ 'GET /api/products': fast }), k6], ['a.json', 'k6.json']);
    expect(merging).toThrow(SummaryError);
    expect(merging).toThrow(
      /k6\.json: endpoint "GET \/api\/products" has percentiles but no histogram.*--engine node/,
    );
  });

  it('when the summaries are of different profiles, targets or formats, then it refuses and says which', () => {
    const a = summary({ 'GET /api/products': fast });
    expect(() =>
      mergeSummaries([a, summary({ 'GET /api/products': slow }, { profile: 'smoke' })], ['a.json', 'b.json']),
    ).toThrow('b.json is not of the same run as a.json: profile "smoke" instead of "average"');
    expect(() =>
      mergeSummaries(
        [a, summary({ 'GET /api/products': slow }, { target: 'http://other:8080' })],
        ['a.json', 'b.json'],
      ),
    ).toThrow('target "http://other:8080" instead of "http://127.0.0.1:8080"');
    const old = { ...summary({ 'GET /api/products': slow }), format: 'stackdrill-load-summary/1' };
    expect(() => mergeSummaries([a, old as unknown as LoadSummary], ['a.json', 'old.json'])).toThrow(
      `old.json: format "stackdrill-load-summary/1" is not ${SUMMARY_FORMAT}`,
    );
  });

  it('when the summaries do not overlap in time, then they are different runs and it refuses', () => {
    const a = summary({ 'GET /api/products': fast });
    const tomorrow = summary({ 'GET /api/products': slow }, { startedAt: '2025-01-02T02:00:00.000Z' });
    expect(() => mergeSummaries([a, tomorrow], ['a.json', 'tomorrow.json'])).toThrow(
      /tomorrow\.json started .* after a\.json had ended/,
    );
  });

  it('when only some summaries have a timeline, then it refuses rather than undercount', () => {
    const a = summary({ 'GET /api/products': fast }, { seconds: [fast.slice(0, 10)] });
    const { timeline: _, ...b } = summary({ 'GET /api/products': slow });
    expect(() => mergeSummaries([a, b], ['a.json', 'b.json'])).toThrow('b.json has no timeline');
  });

  it('when a histogram is damaged, then it names the file and the subject', () => {
    const b = summary({ 'GET /api/products': slow });
    b.endpoints['GET /api/products']!.histogram = 'bm90IGEgaGlzdG9ncmFt';
    expect(() => mergeSummaries([summary({ 'GET /api/products': fast }), b], ['a.json', 'b.json'])).toThrow(
      /b\.json: endpoint "GET \/api\/products": the histogram does not decode/,
    );
  });

  it('when there is nothing to merge, then it says so', () => {
    expect(() => mergeSummaries([])).toThrow('there are no summaries to merge');
  });
});
