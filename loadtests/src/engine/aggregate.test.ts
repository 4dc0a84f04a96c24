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
});
