import { randomUUID } from 'node:crypto';
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
import { callJson, consumedMarker, startGroupAtEnd } from '@stackdrill/kit/testing';
import { dataTierEnvironment, openProvider } from '@stackdrill/stack';
import { KAFKA_TOPICS } from '@stackdrill/facts';
import type { Producer } from 'kafkajs';
import { MongoClient, type Db } from 'mongodb';
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
const dbName = `analytics_it_${randomUUID().slice(0, 8)}`;
let app: AnalyticsService;
let address: BoundAddress;
let producer: Producer;
let admin: string;
let mongo: MongoClient;
/** The analytics service's consumer, as consumedMarker needs it. */
let consumer: { db: Db; groupId: string };

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

/** Resolves once everything published so far about `subject` on `topic` was handled. */
const drained = (topic: string, subject: string) => consumedMarker(producer, consumer, topic, subject);

// Through callJson, so every answer is also held to the service's OpenAPI document.
const get = (path: string, token = admin) => callJson(address.url, 'GET', path, { token });

beforeAll(async () => {
  const endpoints = (await openProvider('test')).endpoints();
  const groupId = `analytics-it-${randomUUID().slice(0, 8)}`;
  mongo = await MongoClient.connect(endpoints.mongo.uri);
  consumer = { db: mongo.db(dbName), groupId };
  await startGroupAtEnd(endpoints.kafka.brokers, groupId, [...KAFKA_TOPICS]);
  app = await createAnalyticsService(
    loadConfig('analytics', ANALYTICS_CONFIG, {
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...dataTierEnvironment(endpoints, { jwtSecret: JWT_SECRET, internalApiKey: INTERNAL_API_KEY }),
      MONGO_DB: dbName,
      CONSUMER_GROUP: groupId,
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
  await mongo?.close();
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

    await Promise.all([
      drained('user-events', 'u1'),
      drained('order-events', o1),
      drained('order-events', o2),
      drained('notification-events', 'u1'),
    ]);
    const dashboard = await get(`/api/analytics/dashboard?${window}`);
    expect(dashboard.body.kpis).toEqual({
      ordersPlaced: 2,
      ordersPaid: 1,
      revenueCents: 2600,
      customers: 1,
      paymentFailures: 1,
      notificationsSent: 1,
      notificationsFailed: 0,
    });

    expect(dashboard.body.recentOrders).toEqual([
      { orderId: o2, totalCents: 1000, placedAt: `${DAY}T14:15:00.000Z` },
      { orderId: o1, totalCents: 2600, placedAt: `${DAY}T09:15:00.000Z` },
    ]);

    const sales = await get(`/api/analytics/sales?${window}&interval=hour`);
    expect(sales.body.buckets).toEqual([{ start: `${DAY}T09:00:00.000Z`, orders: 1, revenueCents: 2600 }]);
    const top = await get(`/api/analytics/top-products?${window}`);
    expect(top.body.items).toEqual([
      { productId: mug, name: 'Mug', units: 3, revenueCents: 3000 },
      { productId: pot, name: 'Pot', units: 1, revenueCents: 600 },
    ]);
  });

  it('when many product views arrive between other events, then each is counted once, in bulk', async () => {
    const endpoints = (await openProvider('test')).endpoints();
    // The service's keys are under its database's name (the kit's runtime prefixes them).
    const redis = connectRedis(endpoints.redis, createLogger('it', 'error'), { keyPrefix: `${dbName}:` });
    try {
      // Views in one minute of the test's own day, so the counter there is ours alone.
      const minute = Math.floor(new Date(`${DAY}T11:15:00.000Z`).getTime() / 60_000);
      const view = () => event('product.viewed', 'p', { productId: randomUUID(), userId: null }, '11');
      const views = Array.from({ length: 40 }, view);
      for (const e of views.slice(0, 20)) await publishEvent(producer, e);
      await publishEvent(producer, event('user.registered', 'u', { userId: randomUUID() }, '11'));
      for (const e of views.slice(20)) await publishEvent(producer, e);
      // The marker is a recorded event: the views before it are counted before it is handled.
      await drained('analytics-events', 'p');
      expect(Number(await redis.get(`${LIVE}:views:${minute}`))).toBe(40);
    } finally {
      redis.disconnect();
    }
  });

  const paidFact = () => {
    const orderId = randomUUID();
    return event('order.paid', orderId, { orderId, userId: 'u1', totalCents: 500 }, '16');
  };

  it('when an event already recorded as processed comes again, then it is not handled again (the processed-event record alone)', async () => {
    const paid = paidFact();
    await publishEvent(producer, paid);
    await drained('order-events', paid.subject);
    // Take away the event-id-keyed fact: were the event handled again, it would be counted again.
    const itsFacts = { type: 'order.paid', orderId: paid.subject };
    expect((await app.facts.facts.deleteMany(itsFacts)).deletedCount).toBe(1);
    await publishEvent(producer, paid);
    await drained('order-events', paid.subject);
    expect(await app.facts.facts.countDocuments(itsFacts)).toBe(0);
  });

  it('when an event handled before comes again without its processed record (a crash before recording it), then its event-id-keyed fact counts it once', async () => {
    const paid = paidFact();
    await publishEvent(producer, paid);
    await drained('order-events', paid.subject);
    const processed = consumer.db.collection<{ _id: string }>('processed_events');
    const key = `${consumer.groupId}:${paid.id}`;
    expect((await processed.deleteOne({ _id: key })).deletedCount).toBe(1);
    await publishEvent(producer, paid);
    await drained('order-events', paid.subject);
    expect(await processed.findOne({ _id: key })).not.toBeNull(); // it was handled again
    expect(await app.facts.facts.countDocuments({ type: 'order.paid', orderId: paid.subject })).toBe(1);
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
