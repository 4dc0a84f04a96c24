import { RateLimiterMemory } from 'rate-limiter-flexible';
import { describe, expect, it, vi } from 'vitest';
import { RATE_BLOCK, RateLimits } from './edge.ts';

// The block logic over in-memory limiters (the Redis ones share their interface; the gateway's
// integration tests cover Redis).
const limitsOf = (perIp: number, shared = new RateLimiterMemory({ points: perIp, duration: 60 })) => {
  const consume = vi.spyOn(shared, 'consume');
  return { limits: new RateLimits(shared, shared, perIp, perIp), consume, shared };
};

describe('rate limits taken in blocks', () => {
  it('allow exactly the limit, count down by one, and go to the store far less than once a request', async () => {
    const { limits, consume } = limitsOf(100);
    const remaining: string[] = [];
    for (let i = 0; i < 100; i++) {
      const decision = await limits.consumeIp('10.0.0.1');
      expect(decision.refusal, `request ${i + 1}`).toBeUndefined();
      remaining.push(decision.headers['RateLimit-Remaining']!);
    }
    expect(remaining.slice(0, 4)).toEqual(['99', '98', '97', '96']);
    expect(remaining.at(-1)).toBe('0');
    expect(new Set(remaining).size).toBe(100);
    const refused = await limits.consumeIp('10.0.0.1');
    expect(refused.refusal?.status).toBe(429);
    // One to learn, blocks of RATE_BLOCK while 2 blocks are left, then one at a time: 1 + 8 + 19.
    expect(consume.mock.calls.length).toBeLessThanOrEqual(1 + 8 + 19 + 1);
    expect(consume.mock.calls.some(([, points]) => points === RATE_BLOCK)).toBe(true);
  });

  it('near the limit it takes one point at a time, so a small limit is exact', async () => {
    const { limits } = limitsOf(5);
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await limits.consumeIp('10.0.0.2')).refusal?.status ?? 200);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
  });

  it('two replicas sharing the counts never let a client past the limit, and refuse it at most a block early each', async () => {
    const shared = new RateLimiterMemory({ points: 100, duration: 60 });
    const a = limitsOf(100, shared).limits;
    const b = limitsOf(100, shared).limits;
    let allowed = 0;
    for (let i = 0; i < 150; i++) {
      const decision = await (i % 2 ? a : b).consumeIp('10.0.0.3');
      if (!decision.refusal) allowed++;
    }
    expect(allowed).toBeLessThanOrEqual(100);
    expect(allowed).toBeGreaterThanOrEqual(100 - 2 * (RATE_BLOCK - 1));
  });

  it('counts a signed-in user apart from their IP', async () => {
    const { limits } = limitsOf(1);
    expect((await limits.consumeIp('10.0.0.4')).refusal).toBeUndefined();
    expect(
      (await limits.consumeUser({ userId: 'u1', email: 'u1@example.com', role: 'customer' })).refusal,
    ).toBeUndefined();
    expect((await limits.consumeIp('10.0.0.4')).refusal?.status).toBe(429);
  });
});
