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
import { callJson, type CallJsonOptions } from '@stackdrill/kit/testing';
import { Sinks } from '@stackdrill/sinks';
import { dataTierEnvironment, NativeProvider } from '@stackdrill/stack';
import { createUserService } from '@stackdrill/user-service';
import { USER_CONFIG } from '@stackdrill/user-service/config';
import type { Producer } from 'kafkajs';
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
  const endpoints = (await NativeProvider.open('test')).endpoints();
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
  notifications = await createNotificationService(
    loadConfig('notification', NOTIFICATION_CONFIG, {
      ...env,
      MONGO_DB: `notifications_it_${randomUUID().slice(0, 8)}`,
      CONSUMER_GROUP: `notification-it-${randomUUID().slice(0, 8)}`,
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

  it('when order.paid arrives twice with the same event id, then one email and one SMS are sent', async () => {
    const customer = await registeredCustomer();
    await eventually(async () =>
      (await notifications.store.recipients.findOne({ _id: customer.id })) ? true : undefined,
    );
    const prefs = await call(notificationsAt, 'PUT', '/api/notifications/preferences', {
      token: customer.token,
      body: { email: true, sms: true, push: false },
    });
    expect(prefs.body).toEqual({ email: true, sms: true, push: false });

    const orderId = randomUUID();
    const paid = newEvent('order.paid', 'order-service', orderId, {
      orderId,
      userId: customer.id,
      totalCents: 4200,
    });
    await publishEvent(producer, paid);
    await publishEvent(producer, paid); // a redelivery: same event id
    const confirmations = await eventually(async () => {
      const inbox = (await (
        await fetch(`${sinkUrl}/mail?to=${encodeURIComponent(customer.email)}`)
      ).json()) as { subject: string; text: string }[];
      const found = inbox.filter((m) => m.subject === 'Your order is confirmed');
      return found.length ? found : undefined;
    });
    await sleep(1500); // room for a duplicate to show up
    const again = (await (
      await fetch(`${sinkUrl}/mail?to=${encodeURIComponent(customer.email)}`)
    ).json()) as { subject: string }[];
    expect(again.filter((m) => m.subject === 'Your order is confirmed')).toHaveLength(1);
    expect(confirmations[0]!.text).toContain('42.00');
    const sms = (await (await fetch(`${sinkUrl}/webhooks?channel=sms`)).json()) as {
      body: { userId: string };
    }[];
    expect(sms.filter((w) => w.body.userId === customer.id)).toHaveLength(1);
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
