import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { RunAggregate } from './aggregate.ts';
import type { Tick } from './share.ts';
import { Tally } from './tally.ts';

const tallyOf = (...latenciesMs: number[]) => {
  const tally = new Tally();
  for (const ms of latenciesMs) tally.record(ms, 200, true);
  const wire = tally.toWire();
  tally.destroy();
  return wire;
};
const tick = (share: number, second: number, latenciesMs: number[], last = false): Tick => ({
  share,
  second,
  arrivals: latenciesMs.length,
  dropped: 0,
  inFlight: 0,
  endpoints: latenciesMs.length ? { 'GET /api/products': tallyOf(...latenciesMs) } : {},
  journeys: {},
  last,
});

describe('folding the shares’ ticks into the run', () => {
  it('a second is complete only when every share has handed it over, and seconds fold in order', () => {
    const seen: number[] = [];
    const run = new RunAggregate(2, (s) => void seen.push(s.second));
    run.add(tick(0, 0, [10]));
    run.add(tick(0, 1, [20]));
    expect(seen).toEqual([]);
    run.add(tick(1, 0, [30]));
    expect(seen).toEqual([0]);
    // Share 1 finishes at second 1; share 0 goes on alone.
    run.add(tick(1, 1, [40], true));
    run.add(tick(0, 2, [50], true));
    expect(seen).toEqual([0, 1, 2]);
    expect(run.timeline.map((p) => p.requests)).toEqual([2, 2, 1]);
    expect(run.endpoints.get('GET /api/products').requests).toBe(5);
    run.destroy();
  });

  it('percentiles come from the added histograms, not from averaging the shares’ percentiles', () => {
    const run = new RunAggregate(2);
    // Share 0: 9 fast requests; share 1: one slow one. Averaged p50s would say (1 + 1000) / 2.
    run.add(tick(0, 0, [1, 1, 1, 1, 1, 1, 1, 1, 1], true));
    run.add(tick(1, 0, [1000], true));
    const figures = run.endpoints.figures()['GET /api/products']!;
    expect(figures.p50Ms).toBeCloseTo(1, 1);
    expect(figures.p99Ms).toBeCloseTo(1000, -1);
    run.destroy();
  });

  it('each endpoint’s seconds add up per minute, each minute with its own histogram', () => {
    const run = new RunAggregate(1);
    // Minute 0: seconds 0 and 59; minute 1: second 60; minute 2 has no request; minute 3: second 185.
    const latencies: Record<number, number[]> = { 0: [10, 10], 59: [20], 60: [300] };
    for (let second = 0; second < 185; second++) run.add(tick(0, second, latencies[second] ?? []));
    run.add({ ...tick(0, 185, [], true), endpoints: { 'GET /api/orders': tallyOf(5, 7) } });
    const minutes = run.summary({
      engine: 'node',
      profile: 'soak',
      target: 'http://127.0.0.1:8080',
      startedAtMs: 0,
      durationS: 186,
    }).minutes!;
    run.destroy();

    expect(Object.keys(minutes).sort()).toEqual(['GET /api/orders', 'GET /api/products']);
    const products = minutes['GET /api/products']!;
    expect(products.map((m) => [m.minute, m.requests])).toEqual([
      [0, 3],
      [1, 1],
    ]);
    expect(products[0]!.p95Ms).toBeCloseTo(20, 1);
    expect(products[1]!.p95Ms).toBeCloseTo(300, 0);
    // Minute 2 is left out; the last minute (still open when the run ended) is there.
    expect(minutes['GET /api/orders']).toMatchObject([{ minute: 3, requests: 2 }]);
    // The histogram is the minute's latencies (µs), so minutes can be merged exactly later.
    const decoded = hdr.decodeFromCompressedBase64(products[0]!.histogram);
    expect(decoded.totalCount).toBe(3);
    expect(decoded.maxValue / 1000).toBeCloseTo(20, 1);
    decoded.destroy();
  });
});
