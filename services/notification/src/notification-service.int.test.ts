import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AccessTokens,
  connectProducer,
  createKafka,
  createLogger,
  loadConfig,
  newEvent,
  publishEvent,
  type BoundAddress,
  type Service,
} from '@stackdrill/kit';
import { callJson, consumedMarker, startGroupAtEnd, type CallJsonOptions } from '@stackdrill/kit/testing';
import { Sinks } from '@stackdrill/sinks';
import { dataTierEnvironment, openProvider } from '@stackdrill/stack';
import { createUserService } from '@stackdrill/user-service';
import { USER_CONFIG } from '@stackdrill/user-service/config';
import type { Producer } from 'kafkajs';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATION_CONFIG } from './config.ts';
import { createNotificationService, type NotificationService } from './notification-service.ts';

// Real sinks, a real user service (user.registered through its outbox), this service consuming both topics.
const JWT_SECRET = 'integration-test-secret-0123456789abcdef';
const INTERNAL_API_KEY = 'integration-test-api-key-0123456789abcdef';
const sinks = new Sinks();
let sinkUrl: string;
let users: Service;
let usersAt: BoundAddress;
let notifications: NotificationService;
let notificationsAt: BoundAddress;
let producer: Producer;
let mongo: MongoClient;
/** The notification service's consumer, as consumedMarker needs it. */
let consumer: { db: Db; groupId: string };

type Json = Record<string, unknown> & { items?: Record<string, unknown>[] };
const call = (base: BoundAddress, method: string, path: string, options?: CallJsonOptions) =>
  callJson<Json>(base.url, method, path, options);

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(200);
  }
}

/** Registers through the user service and signs in: a real user.registered event. */
async function registeredCustomer(): Promise<{ id: string; email: string; token: string }> {
  const email = `n.${randomUUID().slice(0, 8)}@example.com`;
  const created = await call(usersAt, 'POST', '/api/users', {
    body: { email, password: 'long enough pw', name: 'Nia' },
  });
  const signedIn = await call(usersAt, 'POST', '/api/auth/token', {
    body: { grant_type: 'password', email, password: 'long enough pw' },
  });
  return { id: String(created.body.id), email, token: String(signedIn.body.access_token) };
}

beforeAll(async () => {
  const bound = await sinks.start({ smtp: 0, http: 0 });
  sinkUrl = bound.httpUrl;
  const endpoints = (await openProvider('test')).endpoints();
  const env = {
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...dataTierEnvironment(endpoints, { jwtSecret: JWT_SECRET, internalApiKey: INTERNAL_API_KEY }),
  };
  users = (
    await createUserService(
      loadConfig('user', USER_CONFIG, { ...env, MONGO_DB: `users_n_${randomUUID().slice(0, 8)}` }),
    )
  ).service;
  usersAt = await users.start(0);
  const dbName = `notifications_it_${randomUUID().slice(0, 8)}`;
  const groupId = `notification-it-${randomUUID().slice(0, 8)}`;
  mongo = await MongoClient.connect(endpoints.mongo.uri);
  consumer = { db: mongo.db(dbName), groupId };
  await startGroupAtEnd(endpoints.kafka.brokers, groupId, ['user-events', 'order-events']);
  notifications = await createNotificationService(
    loadConfig('notification', NOTIFICATION_CONFIG, {
      ...env,
      MONGO_DB: dbName,
      CONSUMER_GROUP: groupId,
      SMTP_PORT: String(bound.smtpPort),
      WEBHOOK_URL: `${bound.httpUrl}/webhooks`,
    }),
  );
  notificationsAt = await notifications.service.start(0);
  producer = await connectProducer(
    createKafka('notification-it', endpoints.kafka.brokers, createLogger('it', 'error')),
  );
});

afterAll(async () => {
  await mongo?.close();
  await producer?.disconnect();
  await notifications?.service.stop();
  await users?.stop();
  await sinks.stop();
});

describe('welcome and confirmation messages', () => {
  it('when a customer registers, then a welcome email lands in the mail sink and shows as sent', async () => {
    const customer = await registeredCustomer();
    const mail = await eventually(async () => {
      const inbox = (await (
        await fetch(`${sinkUrl}/mail?to=${encodeURIComponent(customer.email)}`)
      ).json()) as { subject: string }[];
      return inbox.length ? inbox : undefined;
    });
    expect(mail.map((m) => m.subject)).toEqual(['Welcome to stackdrill']);
    const listed = await eventually(async () => {
      const { body } = await call(notificationsAt, 'GET', '/api/notifications', { token: customer.token });
      return body.items?.[0]?.status === 'sent' ? body.items : undefined;
    });
    expect(listed).toMatchObject([{ kind: 'welcome', channel: 'email', status: 'sent' }]);
  });

  /** A registered customer who wants email and SMS, once the service knows their address. */
  async function customerWithEmailAndSms() {
    const customer = await registeredCustomer();
    await eventually(async () =>
      (await notifications.store.recipients.findOne({ _id: customer.id })) ? true : undefined,
    );
    const prefs = await call(notificationsAt, 'PUT', '/api/notifications/preferences', {
      token: customer.token,
      body: { email: true, sms: true, push: false },
    });
    expect(prefs.body).toEqual({ email: true, sms: true, push: false });
    return customer;
  }
  const paidEvent = (userId: string) => {
    const orderId = randomUUID();
    return newEvent('order.paid', 'order-service', orderId, { orderId, userId, totalCents: 4200 });
  };
  const confirmationsTo = async (email: string) =>
    (
      (await (await fetch(`${sinkUrl}/mail?to=${encodeURIComponent(email)}`)).json()) as {
        subject: string;
        text: string;
      }[]
    ).filter((m) => m.subject === 'Your order is confirmed');
  const smsTo = async (userId: string) =>
    (
      (await (await fetch(`${sinkUrl}/webhooks?channel=sms`)).json()) as { body: { userId: string } }[]
    ).filter((w) => w.body.userId === userId);
  /** Resolves once everything published so far about `subject` on order-events was handled. */
  const drained = (subject: string) => consumedMarker(producer, consumer, 'order-events', subject);
  const processedKey = (eventId: string) => `${consumer.groupId}:${eventId}`;

  it('when order.paid arrives twice with the same event id, then one email and one SMS are sent', async () => {
    const customer = await customerWithEmailAndSms();
    const paid = paidEvent(customer.id);
    await publishEvent(producer, paid);
    await publishEvent(producer, paid); // a redelivery: same event id
    await drained(paid.subject);
    const confirmations = await confirmationsTo(customer.email);
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]!.text).toContain('42.00');
    expect(await smsTo(customer.id)).toHaveLength(1);
  });

  it('when an event already recorded as processed comes again, then its handler does not run (the processed-event record alone)', async () => {
    const customer = await customerWithEmailAndSms();
    const paid = paidEvent(customer.id);
    await publishEvent(producer, paid);
    await drained(paid.subject);
    expect(await confirmationsTo(customer.email)).toHaveLength(1);
    // Take away the event-id-keyed writes: were the handler to run again, it would send again.
    const ids = { $in: [`${paid.id}:email`, `${paid.id}:sms`] };
    await notifications.store.notifications.deleteMany({ _id: ids });
    await notifications.store.deliveries.deleteMany({ _id: ids });
    await publishEvent(producer, paid);
    await drained(paid.subject);
    expect(await confirmationsTo(customer.email)).toHaveLength(1);
    expect(await smsTo(customer.id)).toHaveLength(1);
    expect(await notifications.store.notifications.countDocuments({ _id: ids })).toBe(0);
  });

  it('when an event handled before comes again without its processed record (a crash before recording it), then the event-id-keyed writes send nothing twice', async () => {
    const customer = await customerWithEmailAndSms();
    const paid = paidEvent(customer.id);
    await publishEvent(producer, paid);
    await drained(paid.subject);
    expect(await confirmationsTo(customer.email)).toHaveLength(1);
    const processed = consumer.db.collection<{ _id: string }>('processed_events');
    expect((await processed.deleteOne({ _id: processedKey(paid.id) })).deletedCount).toBe(1);
    await publishEvent(producer, paid);
    await drained(paid.subject);
    // The handler did run again (it recorded the event anew), and sent nothing twice.
    expect(await processed.findOne({ _id: processedKey(paid.id) })).not.toBeNull();
    expect(await confirmationsTo(customer.email)).toHaveLength(1);
    expect(await smsTo(customer.id)).toHaveLength(1);
    const ids = { $in: [`${paid.id}:email`, `${paid.id}:sms`] };
    expect(await notifications.store.notifications.countDocuments({ _id: ids })).toBe(2);
    expect(await notifications.store.deliveries.countDocuments({ _id: ids })).toBe(2);
  });
});

describe('the API', () => {
  it('when preferences are malformed or the caller is anonymous, then 400 or 401', async () => {
    const customer = await registeredCustomer();
    expect(
      (
        await call(notificationsAt, 'PUT', '/api/notifications/preferences', {
          token: customer.token,
          body: { email: 'yes', sms: false, push: false },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(notificationsAt, 'PUT', '/api/notifications/preferences', {
          token: customer.token,
          body: { email: true },
        })
      ).status,
    ).toBe(400);
    expect((await call(notificationsAt, 'GET', '/api/notifications')).status).toBe(401);
    const stranger = await new AccessTokens(JWT_SECRET).sign({
      userId: randomUUID(),
      email: 's@x.io',
      role: 'customer',
    });
    expect(
      (await call(notificationsAt, 'GET', '/api/notifications', { token: stranger })).body.items,
    ).toEqual([]);
  });

  it('when /openapi.json is fetched, then it documents the two operations', async () => {
    const { body } = await call(notificationsAt, 'GET', '/openapi.json');
    const paths = body.paths as Record<string, Record<string, { operationId: string }>>;
    expect(
      Object.values(paths)
        .flatMap((m) => Object.values(m).map((o) => o.operationId))
        .sort(),
    ).toEqual(['listMyNotifications', 'setNotificationPreferences']);
  });
});
