import type { Provider } from '@stackdrill/stack';
import { UsageError } from '@stackdrill/toolkit';
import { describe, expect, it } from 'vitest';
import { planFault } from './run-fault.ts';

describe('planFault', () => {
  it('when the stack runs without its fault proxy, then a network fault is refused before any target is looked up', async () => {
    // Only what planFault may touch before refusing: anything else would throw.
    const provider = { instance: 'dev', faultProxyApi: () => undefined } as unknown as Provider;
    const refused = await planFault(provider, {
      fault: 'latency',
      target: 'redis:master',
      durationS: 5,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as Error).message).toContain('brought up with --no-fault-proxy');
    expect((refused as Error).message).toContain('pnpm stack:up --instance dev');
  });

  it('when a duration is out of bounds or a parameter is wrong, then it says so', async () => {
    const provider = { instance: 'dev', faultProxyApi: () => 'http://127.0.0.1:1' } as unknown as Provider;
    await expect(
      planFault(provider, { fault: 'latency', target: 'redis-0', durationS: 7200 }),
    ).rejects.toThrow("a fault's duration is 0 s to 1 h, got 7200 s");
    await expect(
      planFault(provider, { fault: 'latency', target: 'redis-0', durationS: 5, params: { latencyMs: -3 } }),
    ).rejects.toThrow(/fault "latency": latencyMs: /);
  });
});
