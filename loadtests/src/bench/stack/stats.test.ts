import { describe, expect, it } from 'vitest';
import { median, percentile } from './stats.ts';

describe('median', () => {
  it('when the count is odd or even, then it is the middle value or the mean of the two', () => {
    expect(median([0.7, 0.4, 0.5])).toBe(0.5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('percentile', () => {
  it('when asked for p95 of 20 values, then it is the 19th smallest (nearest rank)', () => {
    expect(percentile([...Array.from({ length: 20 }, (_, i) => 20 - i)], 95)).toBe(19);
    expect(percentile([7], 95)).toBe(7);
    expect(() => percentile([], 95)).toThrow(RangeError);
  });
});
