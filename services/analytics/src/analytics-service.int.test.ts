import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AccessTokens,
  connectProducer,
  connectRedis,
  createKafka,
  createLogger,
  loadConfig,
  publishEvent,
  type BoundAddress,
  type EventEnvelope,
} from '@stackdrill/kit';
import { callJson } from '@stackdrill/kit/testing';
import { dataTierEnvironment, NativeProvider } from '@stackdrill/stack';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsService, type AnalyticsService } from './analytics-service.ts';
import { ANALYTICS_CONFIG } from './config.ts';

// Events dated inside a window of their own (a day in 2020), so the figures there are exactly ours.
const JWT_SECRET = 'integration-test-secret-0123456789abcdef';
const INTERNAL_API_KEY = 'integration-test-api-key-0123456789abcdef';
const DAY = `2020-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;
const window = `from=${DAY}T00:00:00.000Z&to=${DAY}T23:59:59.999Z`;
// The stack's own analytics service counts the same events: ours get counters of their own.
const LIVE = `live-it-${randomUUID().slice(0, 8)}`;
let app: AnalyticsService;
let address: BoundAddress;
let producer: Producer;
let admin: string;

const event = (
  type: string,
  subject: string,
  data: Record<string, unknown>,
  hour: string,
): EventEnvelope => ({
  id: randomUUID(),
  type,
  source: 'test',
  subject,
  time: `${DAY}T${hour}:15:00.000Z`,
  data,
});

// Through callJson, so every answer is also held to the service's OpenAPI document.
const get = (path: string, token = admin) => callJson(address.url, 'GET', path, { token });

beforeAll(async () => {
  const endpoints = (await NativeProvider.open('test')).endpoints();
  app = await createAnalyticsService(
    loadConfig('analytics', ANALYTICS_CONFIG, {
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...dataTierEnvironment(endpoints, { jwtSecret: JWT_SECRET, internalApiKey: INTERNAL_API_KEY }),
      MONGO_DB: `analytics_it_${randomUUID().slice(0, 8)}`,
      CONSUMER_GROUP: `analytics-it-${randomUUID().slice(0, 8)}`,
      LIVE_COUNTERS_PREFIX: LIVE,
    }),
  );
  address = await app.service.start(0);
  producer = await connectProducer(
    createKafka('analytics-it', endpoints.kafka.brokers, createLogger('it', 'error')),
  );
  admin = await new AccessTokens(JWT_SECRET).sign({ userId: randomUUID(), email: 'a@x.io', role: 'admin' });
});

afterAll(async () => {
  await producer?.disconnect();
  await app?.service.stop();
});

describe('read models from the four topics', () => {
  it('when orders are placed and paid (some events delivered twice), then sales, top products and KPIs count each once', async () => {
    const [mug, pot] = [randomUUID(), randomUUID()];
    const o1 = randomUUID();
    const o2 = randomUUID();
    const events = [
      event('user.registered', 'u1', { userId: 'u1', email: 'u1@x.io', name: 'U1' }, '08'),
      event(
        'order.placed',
        o1,
        {
          orderId: o1,
          userId: 'u1',
          totalCents: 2600,
          lines: [
            { productId: mug, name: 'Mug', unitPriceCents: 1000, quantity: 2 },
            { productId: pot, name: 'Pot', unitPriceCents: 600, quantity: 1 },
          ],
        },
        '09',
      ),
      event('order.paid', o1, { orderId: o1, userId: 'u1', totalCents: 2600 }, '09'),
      event('order.placed', o2, { orderId: o2, userId: 'u1', totalCents: 1000 }, '14'),
      event('order.payment_failed', o2, { orderId: o2, userId: 'u1', reason: 'declined' }, '14'),
      event('notification.sent', 'u1', { notificationId: 'n1' }, '09'),
    ];
    (events[3]!.data as Record<string, unknown>).lines = [
      { productId: mug, name: 'Mug', unitPriceCents: 1000, quantity: 1 },
    ];
    for (const e of events) await publishEvent(producer, e);
    await publishEvent(producer, events[2]!); // order.paid again: a redelivery
    await publishEvent(producer, events[1]!); // order.placed again

    const deadline = Date.now() + 30_000;
    let dashboard = await get(`/api/analytics/dashboard?${window}`);
    while ((dashboard.body.kpis as { ordersPlaced: number }).ordersPlaced < 2 && Date.now() < deadline) {
      await sleep(300);
      dashboard = await get(`/api/analytics/dashboard?${window}`);
    }
    await sleep(1000); // let the duplicates arrive too
    dashboard = await get(`/api/analytics/dashboard?${window}`);
    expect(dashboard.body.kpis).toEqual({
      ordersPlaced: 2,
      ordersPaid: 1,
      revenueCents: 2600,
      customers: 1,
      paymentFailures: 1,
      notificationsSent: 1,
      notificationsFailed: 0,
    });

    const sales = await get(`/api/analytics/sales?${window}&interval=hour`);
    expect(sales.body.buckets).toEqual([{ start: `${DAY}T09:00:00.000Z`, orders: 1, revenueCents: 2600 }]);
    const top = await get(`/api/analytics/top-products?${window}`);
    expect(top.body.items).toEqual([
      { productId: mug, name: 'Mug', units: 3, revenueCents: 3000 },
      { productId: pot, name: 'Pot', units: 1, revenueCents: 600 },
    ]);
  });

  it('when many product views arrive between other events, then each is counted once, in bulk', async () => {
    const endpoints = (await NativeProvider.open('test')).endpoints();
    const redis = connectRedis(endpoints.redis, createLogger('it', 'error'));
    try {
      // Views in one minute of the test's own day, so the counter there is ours alone.
      const minute = Math.floor(new Date(`${DAY}T11:15:00.000Z`).getTime() / 60_000);
      const view = () => event('product.viewed', 'p', { productId: randomUUID(), userId: null }, '11');
      const views = Array.from({ length: 40 }, view);
      for (const e of views.slice(0, 20)) await publishEvent(producer, e);
      await publishEvent(producer, event('user.registered', 'u', { userId: randomUUID() }, '11'));
      for (const e of views.slice(20)) await publishEvent(producer, e);
      const deadline = Date.now() + 30_000;
      let counted = 0;
      while (counted < 40 && Date.now() < deadline) {
        await sleep(300);
        counted = Number(await redis.get(`${LIVE}:views:${minute}`));
      }
      await sleep(500);
      expect(Number(await redis.get(`${LIVE}:views:${minute}`))).toBe(40);
    } finally {
      redis.disconnect();
    }
  });

  it('when a range ends before it starts, or spans over 366 days, then 200 over the window it answers for', async () => {
    const inverted = await get(`/api/analytics/sales?from=${DAY}T10:00:00.000Z&to=${DAY}T09:00:00.000Z`);
    expect(inverted.status).toBe(200);
    expect(inverted.body).toMatchObject({
      from: `${DAY}T09:00:00.000Z`,
      to: `${DAY}T09:00:00.000Z`,
      buckets: [],
    });
    const long = await get(`/api/analytics/dashboard?from=2000-01-01T00:00:00.000Z&to=${DAY}T00:00:00.000Z`);
    expect(long.status).toBe(200);
    const spanDays = (Date.parse(String(long.body.to)) - Date.parse(String(long.body.from))) / 86_400_000;
    expect(spanDays).toBe(366);
  });

  it('when the caller is not an admin, or a parameter is bad, then 401/403/400', async () => {
    const customer = await new AccessTokens(JWT_SECRET).sign({
      userId: randomUUID(),
      email: 'c@x.io',
      role: 'customer',
    });
    expect((await get('/api/analytics/dashboard', customer)).status).toBe(403);
    expect((await fetch(`${address.url}/api/analytics/dashboard`)).status).toBe(401);
    expect((await get('/api/analytics/sales?interval=week')).status).toBe(400);
    expect((await get('/api/analytics/top-products?limit=0')).status).toBe(400);
  });

  it('when /openapi.json is fetched, then it documents the three operations', async () => {
    const response = await fetch(`${address.url}/openapi.json`);
    const paths = (
      (await response.json()) as { paths: Record<string, Record<string, { operationId: string }>> }
    ).paths;
    expect(
      Object.values(paths)
        .flatMap((m) => Object.values(m).map((o) => o.operationId))
        .sort(),
    ).toEqual(['getDashboard', 'getSales', 'getTopProducts']);
  });
});
