import { UsageError } from '@stackdrill/toolkit';
import { describe, expect, it } from 'vitest';
import { parseSets } from './chaos-command.ts';

describe('parseSets', () => {
  it('when --set pairs are given, then numbers and booleans are typed and the rest stays text', () => {
    expect(parseSets(['errorRate=0.5', 'stalled=true', 'match=POST /api/orders', 'latencyMs=200'])).toEqual({
      errorRate: 0.5,
      stalled: true,
      match: 'POST /api/orders',
      latencyMs: 200,
    });
  });

  it('when a pair has no key or no =, then a UsageError says what --set takes', () => {
    expect(() => parseSets(['=3'])).toThrow(UsageError);
    expect(() => parseSets(['rate'])).toThrow('--set takes key=value, got "rate"');
  });
});
