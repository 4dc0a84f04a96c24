import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { openProvider, type Provider, seedStack, testInstance } from '@stackdrill/stack';
import { callJson, collectEvents, type CallJsonOptions } from '@stackdrill/kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';

// The whole system as `pnpm stack:up` runs it (the `test` instance): every call goes through its gateway.
let provider: Provider;
let api: string;
let mailInbox: string;
let adminToken: string;

type Json = Record<string, unknown>;
const call = (method: string, path: string, options?: CallJsonOptions) =>
  callJson<Json>(api, method, path, options);

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const inbox = async (email: string) =>
  (await (await fetch(`${mailInbox}?to=${encodeURIComponent(email)}`)).json()) as { subject: string }[];
const paidOrders = async () =>
  ((await call('GET', '/api/analytics/dashboard', { token: adminToken })).body.kpis as { ordersPaid: number })
    .ordersPaid;

/** The dashboard once the analytics consumer has caught up with everything earlier tests produced. */
async function settledPaidOrders(): Promise<number> {
  let previous = await paidOrders();
  for (;;) {
    await sleep(1500);
    const now = await paidOrders();
    if (now === previous) return now;
    previous = now;
  }
}

beforeAll(async () => {
  provider = await openProvider(testInstance());
  const endpoints = provider.endpoints();
  api = endpoints.app.gateway;
  mailInbox = endpoints.app.mailInbox;
  adminToken = (await seedStack(provider)).adminToken;
});

describe('the whole flow through the gateway', () => {
  it('register → sign in → browse → order → pay → emails → notification.sent → the dashboard counts the order once', async () => {
    const email = `flow.${randomUUID().slice(0, 8)}@example.com`;
    const registered = await call('POST', '/api/users', {
      body: { email, password: 'a long password', name: 'Flo' },
    });
    expect(registered.status).toBe(201);
    const userId = String(registered.body.id);
    await eventually('the welcome email', async () =>
      (await inbox(email)).some((m) => m.subject === 'Welcome to stackdrill') ? true : undefined,
    );

    const signedIn = await call('POST', '/api/auth/token', {
      body: { grant_type: 'password', email, password: 'a long password' },
    });
    const token = String(signedIn.body.access_token);

    const kitchen = await call('GET', '/api/products?category=kitchen&sort=price_asc&limit=5');
    const items = kitchen.body.items as { id: string; priceCents: number }[];
    expect(items).toHaveLength(5);
    expect(items.map((p) => p.priceCents)).toEqual([...items.map((p) => p.priceCents)].sort((a, b) => a - b));
    const mugs = (await call('GET', '/api/products?q=mug')).body.items as { id: string; name: string }[];
    expect(mugs.length).toBeGreaterThan(0);
    expect(mugs.every((p) => p.name.toLowerCase().includes('mug'))).toBe(true);
    const detail = await call('GET', `/api/products/${mugs[0]!.id}`, { token });
    expect(detail.status).toBe(200);

    const before = await settledPaidOrders();
    const placed = await call('POST', '/api/orders', {
      token,
      headers: { 'Idempotency-Key': randomUUID() },
      body: {
        lines: [
          { productId: mugs[0]!.id, quantity: 1 },
          { productId: items[0]!.id, quantity: 2 },
        ],
      },
    });
    expect(placed.status).toBe(201);
    const orderId = String(placed.body.id);
    const paid = await call('POST', `/api/orders/${orderId}/payment`, {
      token,
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(paid.body.status).toBe('paid');
    expect((await call('GET', `/api/orders/${orderId}`, { token })).body.status).toBe('paid');

    await eventually('the confirmation email', async () =>
      (await inbox(email)).some((m) => m.subject === 'Your order is confirmed') ? true : undefined,
    );

    const collector = await collectEvents(
      provider.endpoints().kafka.brokers,
      'notification-events',
      (e) => e.type === 'notification.sent' && (e.data as Json).userId === userId,
    );
    try {
      await eventually('notification.sent for the confirmation', async () =>
        collector.events.some((e) => (e.data as Json).kind === 'order_confirmation') ? true : undefined,
      );
    } finally {
      await collector.stop();
    }

    await eventually('the dashboard to count the order', async () =>
      (await paidOrders()) === before + 1 ? true : undefined,
    );
    await sleep(2000); // a double count would show up by now
    expect(await paidOrders()).toBe(before + 1);

    const notifications = (await call('GET', '/api/notifications', { token })).body.items as {
      kind: string;
      status: string;
    }[];
    expect(notifications.map((n) => `${n.kind}:${n.status}`).sort()).toEqual([
      'order_confirmation:sent',
      'welcome:sent',
    ]);
  });

  it('when /api/docs is fetched, then it lists exactly the 16 operations', async () => {
    const { body } = await call('GET', '/api/docs');
    const paths = body.paths as Record<string, Record<string, { operationId: string }>>;
    expect(Object.values(paths).flatMap((m) => Object.values(m))).toHaveLength(16);
    expect(body['x-unavailable']).toBeUndefined();
  });
});
