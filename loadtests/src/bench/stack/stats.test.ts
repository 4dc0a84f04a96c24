import { describe, expect, it } from 'vitest';
import { median } from './stats.ts';

describe('median', () => {
  it('when the count is odd or even, then it is the middle value or the mean of the two', () => {
    expect(median([0.7, 0.4, 0.5])).toBe(0.5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});
