import { DRILL_TARGETS, SEED_ACCOUNTS, seedStack } from '@stackdrill/stack';
import { Redis } from 'ioredis';
import type { ExperimentDrill, DrillContext } from '../drill.ts';
import { drillExperiment } from './experiment.ts';
import { canaryOf, rtoCheck, secondsOf } from './judging.ts';

const TARGET = DRILL_TARGETS['redis-master-failover'];

/**
 * SIGKILL the Redis master under load; Sentinel promotes a replica. RTO: until the canary's writes
 * succeed through Sentinel again. Acknowledged writes lost: reported, not judged (replication is
 * asynchronous, so Sentinel may lose the last ones by design). Whether a session made before the
 * fault still works afterwards is judged; the gateway's rate-limit counters are reported.
 */
export function redisMasterFailover(): ExperimentDrill {
  let refreshToken = '';
  let limitKeys: string[] = [];
  const name = 'redis-master-failover';
  return {
    name,
    title: 'Redis master failover through Sentinel',
    description:
      'SIGKILL the Redis master under load; Sentinel promotes a replica and the clients follow it. Measures the RTO from the canary writes through Sentinel, reports the acknowledged writes the failover lost (asynchronous replication: expected few, not zero by design), and checks that a session made before the fault still refreshes afterwards.',
    canaries: ['redis'],
    async prepare(ctx) {
      await seedStack(ctx.provider);
      refreshToken = await signIn(ctx);
      limitKeys = await rateLimitKeys(ctx);
      ctx.note(`a session made before the fault; ${limitKeys.length} rate-limit counter(s) in Redis`);
    },
    experiment: async () =>
      drillExperiment({
        title: 'The Redis master dies under load',
        steps: [{ name: 'kill-the-redis-master', fault: 'kill', target: 'redis:master', durationS: 10 }],
      }),
    async judge(ctx, outcome) {
      const redis = canaryOf(outcome, 'redis');
      const session = await refresh(ctx, refreshToken);
      const survivors = await rateLimitKeys(ctx);
      const kept = limitKeys.filter((k) => survivors.includes(k)).length;
      return {
        rtoS: secondsOf(redis.rtoMs),
        rpoS: secondsOf(redis.rpoMs),
        checks: [
          rtoCheck(redis, TARGET.rtoS, 'writes through Sentinel'),
          {
            name: 'a session made before the fault still refreshes',
            ok: session.ok,
            detail: session.detail,
          },
        ],
        notes: [
          `acknowledged writes lost in the failover: ${redis.lost.length} of ${redis.acked} (asynchronous replication: Sentinel may lose the last writes by design; min-replicas-to-write narrows the window)`,
          `rate-limit counters: ${kept} of the ${limitKeys.length} in Redis before the fault are there after it (a counter lives 60 s)`,
        ],
      };
    },
  };
}

async function signIn(ctx: DrillContext): Promise<string> {
  const [customer] = SEED_ACCOUNTS.customers;
  const response = await fetch(`${ctx.provider.endpoints('host').app.gateway}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', email: customer!.email, password: customer!.password }),
  });
  if (!response.ok)
    throw new Error(`signing in ${customer!.email} answered ${response.status}: ${await response.text()}`);
  return String(((await response.json()) as { refresh_token: string }).refresh_token);
}

async function refresh(ctx: DrillContext, token: string): Promise<{ ok: boolean; detail: string }> {
  const response = await fetch(`${ctx.provider.endpoints('host').app.gateway}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: token }),
  });
  return response.ok
    ? { ok: true, detail: 'the refresh token issued before the fault got new tokens after it' }
    : {
        ok: false,
        detail: `the refresh token issued before the fault was refused after it: ${response.status} ${await response.text()}`,
      };
}

/** The gateway's rate-limit counters (rate-limiter-flexible's keys) in the current master. */
async function rateLimitKeys(ctx: DrillContext): Promise<string[]> {
  const { redis } = ctx.provider.endpoints('host');
  const client = new Redis({
    sentinels: redis.sentinels,
    name: redis.masterName,
    ...(redis.natMap ? { natMap: redis.natMap } : {}),
    lazyConnect: true,
    maxRetriesPerRequest: 2,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', '*ratelimit:*', 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return keys.sort();
  } finally {
    client.disconnect();
  }
}
