import { describe, expect, it } from 'vitest';
import { compareVersions } from './exec.ts';

describe('compareVersions', () => {
  it('when versions differ in any part, then they compare numerically, not as text', () => {
    expect(compareVersions('1.10', '1.9')).toBeGreaterThan(0);
    expect(compareVersions('1.22.0', '1.22')).toBe(0);
    expect(compareVersions('7.0.15', '6.2')).toBeGreaterThan(0);
    expect(compareVersions('1.19.8', '1.22')).toBeLessThan(0);
  });
});
