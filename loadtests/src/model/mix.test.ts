import { describe, expect, it } from 'vitest';
import { journeyOf, rollOf } from './mix.ts';

describe('the journey mix', () => {
  const mix = { browse: 3, search: 1 };

  it('when rolled, then each journey gets its share of the weights', () => {
    expect(journeyOf(mix, 0)).toBe('browse');
    expect(journeyOf(mix, 0.74)).toBe('browse');
    expect(journeyOf(mix, 0.75)).toBe('search');
    expect(journeyOf(mix, 0.999)).toBe('search');
  });

  it("when seeded, then iteration n's journey depends on the seed and n only, not on the order of the draws", () => {
    const forwards = Array.from({ length: 50 }, (_, n) => journeyOf(mix, rollOf(7, n)));
    const backwards = Array.from({ length: 50 }, (_, i) => journeyOf(mix, rollOf(7, 49 - i))).reverse();
    expect(backwards).toEqual(forwards);
    expect(new Set(forwards)).toEqual(new Set(['browse', 'search']));
    const other = Array.from({ length: 50 }, (_, n) => journeyOf(mix, rollOf(8, n)));
    expect(other).not.toEqual(forwards);
  });
});
