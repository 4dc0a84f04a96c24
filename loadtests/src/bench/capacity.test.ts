import { describe, expect, it } from 'vitest';
import { isSustained, searchCapacity, type RateOutcome } from './capacity.ts';

/** A fake generator that answers everything up to `ceiling` per second and drops beyond it. */
const upTo =
  (ceiling: number) =>
  async (rate: number): Promise<RateOutcome> => ({
    targetRate: rate,
    achievedRate: Math.min(rate, ceiling),
    requests: Math.min(rate, ceiling) * 5,
    errors: 0,
    dropped: rate > ceiling ? (rate - ceiling) * 5 : 0,
  });

const outcome = (o: Partial<RateOutcome>): RateOutcome => ({
  targetRate: 1000,
  achievedRate: 1000,
  requests: 5000,
  errors: 0,
  dropped: 0,
  ...o,
});

describe('isSustained', () => {
  it('when 99 % is answered with nothing dropped and no errors, then it held', () => {
    expect(isSustained(outcome({ achievedRate: 990 }))).toBe(true);
  });
  it('when less than 99 % is answered, then it did not', () => {
    expect(isSustained(outcome({ achievedRate: 989 }))).toBe(false);
  });
  it('when a single arrival was dropped, then it did not', () => {
    expect(isSustained(outcome({ dropped: 1 }))).toBe(false);
  });
  it('when errors reach 0.1 %, then it did not', () => {
    expect(isSustained(outcome({ errors: 4 }))).toBe(true);
    expect(isSustained(outcome({ errors: 5 }))).toBe(false);
  });
});

describe('searchCapacity', () => {
  it('when the start holds, then it climbs until a rate fails and refines between the two', async () => {
    const result = await searchCapacity({ start: 1000, measure: upTo(1700) });
    expect(result.steps.map((s) => [s.rate, s.phase, s.sustained])).toEqual([
      [1000, 'ladder', true],
      [1250, 'ladder', true],
      [1563, 'ladder', true],
      [1954, 'ladder', false],
      [1748, 'refine', false],
      [1653, 'refine', true],
    ]);
    expect(result.capacity).toBe(1653);
    expect(result.failedAt).toBe(1748);
  });

  it('when the start already fails, then it steps down until a rate holds', async () => {
    const result = await searchCapacity({ start: 1000, measure: upTo(600), refineSteps: 0 });
    expect(result.steps.map((s) => s.rate)).toEqual([1000, 800, 640, 512]);
    expect(result.capacity).toBe(512);
    expect(result.failedAt).toBe(640);
  });

  it('when every rung holds, then the capacity is at least the last one and nothing failed', async () => {
    const result = await searchCapacity({ start: 100, measure: upTo(1e9), ladderSteps: 3 });
    expect(result.steps.map((s) => s.rate)).toEqual([100, 125, 156]);
    expect(result.capacity).toBe(156);
    expect(result.failedAt).toBeUndefined();
  });

  it('when nothing holds, then there is no capacity', async () => {
    const result = await searchCapacity({ start: 10, measure: upTo(0), ladderSteps: 4 });
    expect(result.capacity).toBeUndefined();
    expect(result.steps).toHaveLength(4);
  });

  it('is bounded by ladder plus refine steps, and says each step as it goes', async () => {
    const seen: number[] = [];
    const result = await searchCapacity({
      start: 1000,
      measure: upTo(1100),
      ladderSteps: 6,
      refineSteps: 2,
      onStep: (s) => seen.push(s.rate),
    });
    expect(result.steps.length).toBeLessThanOrEqual(8);
    expect(seen).toEqual(result.steps.map((s) => s.rate));
  });

  it('refuses a factor that would not climb', async () => {
    await expect(searchCapacity({ start: 10, factor: 1, measure: upTo(1) })).rejects.toThrow(/factor/);
  });
});
