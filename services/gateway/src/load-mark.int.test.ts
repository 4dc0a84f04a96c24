import { createHmac, randomUUID } from 'node:crypto';
import {
  AccessTokens,
  connectRedis,
  createLogger,
  loadConfig,
  type BoundAddress,
  type Service,
} from '@stackdrill/kit';
import { dataTierEnvironment, openProvider } from '@stackdrill/stack';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_CONFIG } from './config.ts';
import { createGateway } from './gateway.ts';
import { LOAD_MARK_HEADER, LOAD_MARK_WINDOW_S } from './load-mark.ts';

// A gateway with small limits in front of the test instance's own services and Redis: the load mark
// lifts the per-IP limit for the stack's own load only, and nothing else.
const LOAD_KEY = 'load-mark-test-key-0123456789abcdefghij';
const PER_IP = 7;
const PER_USER = 3;
const PER_LOAD = 12;
let gateway: Service;
let address: BoundAddress;
let redis: Redis;
let jwtSecret: string;

const mark = (key = LOAD_KEY, atMs = Date.now()) => {
  const seconds = String(Math.floor(atMs / 1000));
  return `${seconds}.${createHmac('sha256', key).update(seconds).digest('hex')}`;
};

const statusOf = async (headers: Record<string, string> = {}) =>
  (await fetch(`${address.url}/api/products?limit=1`, { headers })).status;

async function statuses(count: number, headers: () => Record<string, string>): Promise<number[]> {
  const seen = [];
  for (let i = 0; i < count; i++) seen.push(await statusOf(headers()));
  return seen;
}

beforeAll(async () => {
  const provider = await openProvider('test');
  const endpoints = provider.endpoints();
  const secrets = provider.appSecrets()!;
  jwtSecret = secrets.jwtSecret;
  const env = {
    ...dataTierEnvironment(endpoints, secrets),
    PORT: '0',
    LOG_LEVEL: 'warn',
    USER_SERVICE_URL: endpoints.app.services.user!,
    PRODUCT_SERVICE_URL: endpoints.app.services.product!,
    ORDER_SERVICE_URL: endpoints.app.services.order!,
    NOTIFICATION_SERVICE_URL: endpoints.app.services.notification!,
    ANALYTICS_SERVICE_URL: endpoints.app.services.analytics!,
    RATE_LIMIT_IP_PER_MIN: String(PER_IP),
    RATE_LIMIT_USER_PER_MIN: String(PER_USER),
    RATE_LIMIT_LOAD_PER_MIN: String(PER_LOAD),
    LOAD_KEY,
    METRICS_PORT: '0',
  };
  // The counts live in Redis for a minute: start this run's from zero (keys as rate-limiter-flexible
  // spells them: `<prefix>:<client>`).
  redis = connectRedis(
    { sentinels: endpoints.redis.sentinels, masterName: endpoints.redis.masterName },
    createLogger('load-mark-test', 'warn'),
  );
  await redis.del(`ratelimit:ip:${PER_IP}:127.0.0.1`, `ratelimit:ip:${PER_LOAD}:load-marked`);
  gateway = createGateway(loadConfig('gateway', GATEWAY_CONFIG, env));
  address = await gateway.start(0);
});

afterAll(async () => {
  await gateway?.stop();
  await redis?.quit();
});

describe('load-marked traffic and the per-IP limit', () => {
  it('when an address is over its limit, then only a mark signed with the key within the window gets through', async () => {
    const unmarked = await statuses(PER_IP + 2, () => ({}));
    expect(unmarked.slice(0, PER_IP)).toEqual(Array(PER_IP).fill(200));
    expect(unmarked.slice(PER_IP)).toEqual([429, 429]);

    const stale = Date.now() - (LOAD_MARK_WINDOW_S + 5) * 1000;
    const good = mark();
    const forged = `${good.slice(0, -1)}${good.endsWith('0') ? '1' : '0'}`;
    expect(await statusOf({ [LOAD_MARK_HEADER]: mark('another stack key') })).toBe(429);
    expect(await statusOf({ [LOAD_MARK_HEADER]: forged })).toBe(429);
    expect(await statusOf({ [LOAD_MARK_HEADER]: mark(LOAD_KEY, stale) })).toBe(429);
    expect(await statusOf({ [LOAD_MARK_HEADER]: 'load' })).toBe(429);
    expect(await statusOf({ [LOAD_MARK_HEADER]: good })).toBe(200);
    // Marked traffic is counted apart: the address stays over its limit.
    expect(await statusOf()).toBe(429);
  });

  it('when marked traffic passes its own bound, then it is refused too (a leaked key is not unlimited)', async () => {
    // One request of the bound went to the test above.
    const marked = await statuses(PER_LOAD, () => ({ [LOAD_MARK_HEADER]: mark() }));
    expect(marked.slice(0, PER_LOAD - 1)).toEqual(Array(PER_LOAD - 1).fill(200));
    expect(marked.slice(PER_LOAD - 1)).toEqual([429]);
  });

  it('when a signed-in user sends marked requests past the per-user limit, then 429 as without a mark', async () => {
    const token = await new AccessTokens(jwtSecret).sign({
      userId: randomUUID(),
      email: 'load-mark@example.com',
      role: 'customer',
    });
    await redis.del(`ratelimit:ip:${PER_LOAD}:load-marked`);
    const signedIn = await statuses(PER_USER + 1, () => ({
      authorization: `Bearer ${token}`,
      [LOAD_MARK_HEADER]: mark(),
    }));
    expect(signedIn).toEqual([...Array(PER_USER).fill(200), 429]);
  });
});
