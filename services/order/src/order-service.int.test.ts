import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccessTokens, loadConfig, type BoundAddress, type EventEnvelope } from '@stackdrill/kit';
import { createProductService, type ProductService } from '@stackdrill/product-service';
import { PRODUCT_CONFIG } from '@stackdrill/product-service/config';
import { dataTierEnvironment, openProvider } from '@stackdrill/stack';
import { callJson, collectEvents, type CallJsonOptions } from '@stackdrill/kit/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_CONFIG } from './config.ts';
import type { OrderDocument } from './data-access/order-store.ts';
import { createOrderService, type OrderService } from './order-service.ts';

// Runs against the `test` instance of the stack, with a product service and an order service of its own.
const JWT_SECRET = 'integration-test-secret-0123456789abcdef';
const INTERNAL_API_KEY = 'integration-test-api-key-0123456789abcdef';
const tokens = new AccessTokens(JWT_SECRET);
const orderDb = `orders_it_${randomUUID().slice(0, 8)}`;
let products: ProductService;
let productsAt: BoundAddress;
let orders: OrderService;
let ordersAt: BoundAddress;
let env: Record<string, string>;
let admin: string;

type Json = Record<string, unknown> & { code?: string };
// Status and body only: replays are compared whole, and headers such as date differ between answers.
async function call(base: string, method: string, path: string, options?: CallJsonOptions) {
  const { status, body } = await callJson<Json>(base, method, path, options);
  return { status, body };
}
const order = (path: string, options: Parameters<typeof call>[3] = {}, method = 'POST') =>
  call(ordersAt.url, method, path, options);
const key = () => randomUUID();
const customerToken = () =>
  tokens.sign({ userId: randomUUID(), email: 'c@stackdrill.local', role: 'customer' });

async function newProduct(initialStock: number, priceCents = 1000): Promise<string> {
  const body = {
    sku: `IT-${randomUUID().slice(0, 8).toUpperCase()}`,
    name: 'Kettle',
    category: 'kitchen',
    priceCents,
    initialStock,
  };
  const created = await call(productsAt.url, 'POST', '/api/products', { body, token: admin });
  return String(created.body.id);
}
const stockOf = async (id: string) => (await call(productsAt.url, 'GET', `/api/products/${id}`)).body.stock;

/** Every event on order-events about the given orders, read from the beginning by a new group. */
async function orderEvents(
  orderIds: string[],
  until: (events: EventEnvelope[]) => boolean,
): Promise<EventEnvelope[]> {
  const wanted = new Set(orderIds);
  const collector = await collectEvents(env.KAFKA_BROKERS!.split(','), 'order-events', (e) =>
    wanted.has(e.subject),
  );
  try {
    await collector.until(until, 45_000);
    await sleep(500);
  } finally {
    await collector.stop();
  }
  return collector.events;
}

beforeAll(async () => {
  const endpoints = (await openProvider('test')).endpoints();
  env = {
    LOG_LEVEL: 'warn',
    ...dataTierEnvironment(endpoints, { jwtSecret: JWT_SECRET, internalApiKey: INTERNAL_API_KEY }),
  };
  products = await createProductService(
    loadConfig('product', PRODUCT_CONFIG, {
      ...env,
      PORT: '0',
      MONGO_DB: `products_it_${randomUUID().slice(0, 8)}`,
    }),
  );
  productsAt = await products.service.start(0);
  env.PRODUCT_SERVICE_URL = productsAt.url;
  orders = await createOrderService(
    loadConfig('order', ORDER_CONFIG, { ...env, PORT: '0', MONGO_DB: orderDb }),
  );
  ordersAt = await orders.service.start(0);
  admin = await tokens.sign({ userId: randomUUID(), email: 'admin@stackdrill.local', role: 'admin' });
});

afterAll(async () => {
  await orders?.service.stop();
  await products?.service.stop();
});

describe('POST /api/orders', () => {
  it('when a customer orders two products, then 201 placed with prices from the catalogue, and stock is reserved', async () => {
    const [a, b] = [await newProduct(5, 1200), await newProduct(5, 300)];
    const token = await customerToken();
    const placed = await order('/api/orders', {
      token,
      headers: { 'Idempotency-Key': key() },
      body: {
        lines: [
          { productId: a, quantity: 2 },
          { productId: b, quantity: 1 },
        ],
      },
    });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ status: 'placed', totalCents: 2700 });
    expect(await stockOf(a)).toBe(3);
    expect(await stockOf(b)).toBe(4);
  });

  it('when the same key is sent again, then the same order comes back; with another body, 409', async () => {
    const a = await newProduct(5);
    const token = await customerToken();
    const headers = { 'Idempotency-Key': key() };
    const body = { lines: [{ productId: a, quantity: 1 }] };
    const first = await order('/api/orders', { token, headers, body });
    const again = await order('/api/orders', { token, headers, body });
    expect(again).toEqual(first);
    expect(await stockOf(a)).toBe(4);
    const other = await order('/api/orders', {
      token,
      headers,
      body: { lines: [{ productId: a, quantity: 2 }] },
    });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('when the same key and body arrive 8 times at once, then one order is placed, stock is taken once and every answer is that order', async () => {
    const a = await newProduct(10);
    const userId = randomUUID();
    const token = await tokens.sign({ userId, email: 'c@stackdrill.local', role: 'customer' });
    const headers = { 'Idempotency-Key': key() };
    const body = { lines: [{ productId: a, quantity: 1 }] };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => order('/api/orders', { token, headers, body })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array<number>(8).fill(201));
    expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
    expect(await stockOf(a)).toBe(9);
    expect(await orders.store.orders.countDocuments({ userId })).toBe(1);
  });

  it('when two customers use the same key, then each gets an order of their own (keys are scoped per customer)', async () => {
    const a = await newProduct(10);
    const headers = { 'Idempotency-Key': key() };
    const body = { lines: [{ productId: a, quantity: 1 }] };
    const [first, second] = await Promise.all([
      order('/api/orders', { token: await customerToken(), headers, body }),
      order('/api/orders', { token: await customerToken(), headers, body }),
    ]);
    expect([first!.status, second!.status]).toEqual([201, 201]);
    expect(first!.body.id).not.toBe(second!.body.id);
    expect(first!.body.userId).not.toBe(second!.body.userId);
    expect(await stockOf(a)).toBe(8);
  });

  it('when a line is short of stock, then 409 and nothing is reserved; the replay answers the same', async () => {
    const [a, b] = [await newProduct(5), await newProduct(1)];
    const token = await customerToken();
    const headers = { 'Idempotency-Key': key() };
    const body = {
      lines: [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 2 },
      ],
    };
    const refused = await order('/api/orders', { token, headers, body });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('INSUFFICIENT_STOCK');
    expect([await stockOf(a), await stockOf(b)]).toEqual([5, 1]);
    const replayed = await order('/api/orders', { token, headers, body });
    const withoutRequestId = ({ requestId: _r, ...rest }: Json) => rest;
    expect(replayed.status).toBe(409);
    expect(withoutRequestId(replayed.body)).toEqual(withoutRequestId(refused.body));
  });

  it('when the request is bad, then 400/401 with a reason', async () => {
    const token = await customerToken();
    const a = await newProduct(1);
    const keyless = await order('/api/orders', { token, body: { lines: [{ productId: a, quantity: 1 }] } });
    expect(keyless).toMatchObject({
      status: 400,
      body: {
        details: [{ path: 'Idempotency-Key', message: expect.stringContaining('send an Idempotency-Key') }],
      },
    });
    expect(
      (await order('/api/orders', { token, headers: { 'Idempotency-Key': key() }, body: { lines: [] } }))
        .status,
    ).toBe(400);
    const dup = {
      lines: [
        { productId: a, quantity: 1 },
        { productId: a, quantity: 1 },
      ],
    };
    expect(
      (await order('/api/orders', { token, headers: { 'Idempotency-Key': key() }, body: dup })).status,
    ).toBe(400);
    expect(
      (
        await order('/api/orders', {
          headers: { 'Idempotency-Key': key() },
          body: { lines: [{ productId: a, quantity: 1 }] },
        })
      ).status,
    ).toBe(401);
  });

  it('when a line names a product that does not exist, then 409 UNKNOWN_PRODUCT; the replay answers the same', async () => {
    const token = await customerToken();
    const known = await newProduct(5);
    const unknown = randomUUID();
    const body = {
      lines: [
        { productId: known, quantity: 1 },
        { productId: unknown, quantity: 1 },
      ],
    };
    const headers = { 'Idempotency-Key': key() };
    const refused = await order('/api/orders', { token, headers, body });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'UNKNOWN_PRODUCT',
      message: expect.stringContaining(unknown),
    });
    const replayed = await order('/api/orders', { token, headers, body });
    const withoutRequestId = ({ requestId: _r, ...rest }: Json) => rest;
    expect(replayed.status).toBe(409);
    expect(withoutRequestId(replayed.body)).toEqual(withoutRequestId(refused.body));
    expect(await stockOf(known)).toBe(5);
  });

  it('when a product id is in upper case, then it names the same product', async () => {
    const product = await newProduct(3);
    const placed = await order('/api/orders', {
      token: await customerToken(),
      headers: { 'Idempotency-Key': key() },
      body: { lines: [{ productId: product.toUpperCase(), quantity: 1 }] },
    });
    expect(placed.status).toBe(201);
    expect(placed.body.lines).toMatchObject([{ productId: product }]);
  });

  it('when 50 customers order the last 10 units at once, then exactly 10 orders succeed and stock ends at 0', async () => {
    const a = await newProduct(10);
    const results = await Promise.all(
      Array.from({ length: 50 }, async () =>
        order('/api/orders', {
          token: await customerToken(),
          headers: { 'Idempotency-Key': key() },
          body: { lines: [{ productId: a, quantity: 1 }] },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    expect(await stockOf(a)).toBe(0);
  });
});

describe('GET /api/orders and /api/orders/:id', () => {
  it('when listing, then only my orders, newest first, across pages; another customer sees 404; an admin sees it', async () => {
    const a = await newProduct(10);
    const me = await customerToken();
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const placed = await order('/api/orders', {
        token: me,
        headers: { 'Idempotency-Key': key() },
        body: { lines: [{ productId: a, quantity: 1 }] },
      });
      ids.push(String(placed.body.id));
    }
    const page1 = await order('/api/orders?limit=2', { token: me }, 'GET');
    const page2 = await order(
      `/api/orders?limit=2&cursor=${String(page1.body.nextCursor)}`,
      { token: me },
      'GET',
    );
    const listed = [...(page1.body.items as { id: string }[]), ...(page2.body.items as { id: string }[])].map(
      (o) => o.id,
    );
    expect(listed).toEqual([...ids].reverse());
    expect(page2.body.nextCursor).toBeNull();
    expect((await order(`/api/orders/${ids[0]}`, { token: await customerToken() }, 'GET')).status).toBe(404);
    expect((await order(`/api/orders/${ids[0]}`, { token: admin }, 'GET')).body.status).toBe('placed');
  });
});

describe('POST /api/orders/:id/payment', () => {
  it('when a payment is re-sent, with the same key or another, then the order is charged once', async () => {
    const a = await newProduct(5);
    const token = await customerToken();
    const placed = await order('/api/orders', {
      token,
      headers: { 'Idempotency-Key': key() },
      body: { lines: [{ productId: a, quantity: 1 }] },
    });
    const id = String(placed.body.id);
    const headers = { 'Idempotency-Key': key() };
    const paid = await order(`/api/orders/${id}/payment`, { token, headers });
    expect(paid.status).toBe(200);
    expect(await order(`/api/orders/${id}/payment`, { token, headers })).toEqual(paid);
    expect(
      (await order(`/api/orders/${id}/payment`, { token, headers: { 'Idempotency-Key': key() } })).status,
    ).toBe(200);
    expect(await orders.payments.charges.countDocuments({ orderId: id, ok: true })).toBe(1);
    expect((await order(`/api/orders/${id}`, { token }, 'GET')).body.status).toBe('paid');
  });

  it('when the same payment is sent 8 times at once, or with 8 keys at once, then the order is charged once', async () => {
    const a = await newProduct(5);
    const token = await customerToken();
    for (const keys of [Array<string>(8).fill(key()), Array.from({ length: 8 }, key)]) {
      const placed = await order('/api/orders', {
        token,
        headers: { 'Idempotency-Key': key() },
        body: { lines: [{ productId: a, quantity: 1 }] },
      });
      const id = String(placed.body.id);
      const answers = await Promise.all(
        keys.map((k) => order(`/api/orders/${id}/payment`, { token, headers: { 'Idempotency-Key': k } })),
      );
      expect(answers.map((r) => r.status)).toEqual(Array<number>(8).fill(200));
      expect(new Set(answers.map((r) => r.body.chargeId)).size).toBe(1);
      expect(await orders.payments.charges.countDocuments({ orderId: id, ok: true })).toBe(1);
      expect(await orders.store.statuses.countDocuments({ orderId: id, status: 'paid' })).toBe(1);
    }
  });

  it('when the payment fault switch declines, then 402 and payment_failed; once cleared, a new attempt pays', async () => {
    const a = await newProduct(5);
    const token = await customerToken();
    const id = String(
      (
        await order('/api/orders', {
          token,
          headers: { 'Idempotency-Key': key() },
          body: { lines: [{ productId: a, quantity: 1 }] },
        })
      ).body.id,
    );
    const internal = { 'x-api-key': INTERNAL_API_KEY };
    expect((await order('/internal/faults', { body: { payment: { failureRate: 1 } } }, 'PUT')).status).toBe(
      401,
    );
    expect(
      (await order('/internal/faults', { headers: internal, body: { payment: { failureRate: 1 } } }, 'PUT'))
        .body,
    ).toEqual({ payment: { failureRate: 1, latencyMs: 0 } });
    try {
      const declined = await order(`/api/orders/${id}/payment`, {
        token,
        headers: { 'Idempotency-Key': key() },
      });
      expect(declined.status).toBe(402);
      expect(declined.body.code).toBe('PAYMENT_FAILED');
      expect((await order(`/api/orders/${id}`, { token }, 'GET')).body.status).toBe('payment_failed');
    } finally {
      await order('/internal/faults', { headers: internal, body: { payment: { failureRate: 0 } } }, 'PUT');
    }
    expect(
      (await order(`/api/orders/${id}/payment`, { token, headers: { 'Idempotency-Key': key() } })).status,
    ).toBe(200);
    const events = await orderEvents([id], (seen) => seen.length >= 3);
    expect(events.map((e) => e.type).sort()).toEqual(['order.paid', 'order.payment_failed', 'order.placed']);
  });

  it("when paying someone else's order, then 404", async () => {
    const a = await newProduct(5);
    const id = String(
      (
        await order('/api/orders', {
          token: await customerToken(),
          headers: { 'Idempotency-Key': key() },
          body: { lines: [{ productId: a, quantity: 1 }] },
        })
      ).body.id,
    );
    expect(
      (
        await order(`/api/orders/${id}/payment`, {
          token: await customerToken(),
          headers: { 'Idempotency-Key': key() },
        })
      ).status,
    ).toBe(404);
  });
});

describe('the order service killed with SIGKILL with an outbox unsent', () => {
  // The killed process and its successor use a database of their own: the in-process order service
  // (whose relay would publish anything it finds) never sees it, so the restarted process is the only
  // relay that can publish what the killed one left behind.
  let child: ChildProcess | undefined;
  /** Ends this case's process (the restarted one is still running) and waits until it is gone. */
  async function stopChild(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  }
  afterAll(stopChild);

  const freePort = () =>
    new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });

  async function startProcess(port: number, db: string, crashPoint: string): Promise<ChildProcess> {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url))],
      {
        env: { ...process.env, ...env, PORT: String(port), MONGO_DB: db, CRASH_POINT: crashPoint },
        stdio: 'ignore',
      },
    );
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (
        await fetch(`http://127.0.0.1:${port}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return proc;
      await sleep(100);
    }
    proc.kill('SIGKILL');
    throw new Error('the order service process did not start');
  }

  /** Waits (bounded) for `check` to hold, polling every 100 ms. */
  async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await sleep(100);
    }
  }

  it.each([
    // Killed between storing the order with its outbox and publishing it: nothing is in Kafka yet.
    { crashPoint: 'after-outbox-write', copiesBeforeRestart: 0 },
    // Killed between publishing and marking the outbox sent: the restart publishes it again, same id.
    { crashPoint: 'after-outbox-publish', copiesBeforeRestart: 1 },
  ])(
    'when killed $crashPoint, then the restarted process publishes the unsent order.placed with its stored event id, and marks it sent',
    async ({ crashPoint, copiesBeforeRestart }) => {
      const db = `orders_crash_${randomUUID().slice(0, 8)}`;
      const mongo = new MongoClient(env.MONGO_URI!);
      const stored = mongo.db(db).collection<OrderDocument>('orders');
      const port = await freePort();
      const a = await newProduct(5);
      const userId = randomUUID();
      const token = await tokens.sign({ userId, email: 'c@stackdrill.local', role: 'customer' });
      // Every order.placed of this run's customer: the order ids are known only once they are in.
      const collector = await collectEvents(
        env.KAFKA_BROKERS!.split(','),
        'order-events',
        (e) => e.type === 'order.placed' && (e.data as { userId?: string }).userId === userId,
      );
      try {
        child = await startProcess(port, db, crashPoint);
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        // The process may die before it answers: the order is read from its database instead.
        await call(`http://127.0.0.1:${port}`, 'POST', '/api/orders', {
          token,
          headers: { 'Idempotency-Key': key() },
          body: { lines: [{ productId: a, quantity: 1 }] },
        }).catch(() => undefined);
        await exited;

        const left = await stored.find().toArray();
        expect(left, 'the killed process stored exactly one order').toHaveLength(1);
        const [unsent] = left;
        expect(unsent!.outbox?.sentAt, 'its outbox was still unsent at the kill').toBeNull();
        const eventId = unsent!.outbox!.events[0]!.id;
        await collector.until((events) => events.length >= copiesBeforeRestart, 30_000);
        expect(collector.events.map((e) => e.id)).toEqual(Array<string>(copiesBeforeRestart).fill(eventId));

        child = await startProcess(port, db, 'none');
        await eventually(
          async () => (await stored.findOne({ _id: unsent!._id }))?.outbox?.sentAt instanceof Date,
          'the restarted process marks the outbox sent',
        );
        // A later order through the same process, as a marker: once it is consumed, so is anything
        // the restarted relay published before it.
        const marker = await call(`http://127.0.0.1:${port}`, 'POST', '/api/orders', {
          token,
          headers: { 'Idempotency-Key': key() },
          body: { lines: [{ productId: a, quantity: 1 }] },
        });
        expect(marker.status).toBe(201);
        await collector.until((events) => events.some((e) => e.subject === marker.body.id), 30_000);
        const copies = collector.events.filter((e) => e.subject === unsent!._id);
        // Published once after the restart; every copy carries the stored id, so consumers see one event.
        expect(copies.map((e) => e.id)).toEqual(Array<string>(copiesBeforeRestart + 1).fill(eventId));
      } finally {
        await stopChild();
        await collector.stop();
        await mongo.close();
      }
    },
  );
});

describe('orders abandoned mid-way (the sweeper)', () => {
  const MINUTE = 60_000;
  const sweep = (at: Date) => orders.domain.sweepAbandoned(at, 15 * MINUTE, 2 * MINUTE);
  // What place() hashes, so a retry with the same body is recognised as the same request.
  const hashOf = (lines: unknown) => createHash('sha256').update(JSON.stringify(lines)).digest('hex');

  it('when a request died after reserving and its client never retried, then its stock comes back once, and a late retry is told', async () => {
    const productId = await newProduct(5);
    const userId = randomUUID();
    const token = await tokens.sign({ userId, email: 'c@stackdrill.local', role: 'customer' });
    const lines = [{ productId, quantity: 2 }];
    const idempotencyKey = key();
    const orderId = randomUUID();
    // The state a process leaves when it dies between reserving and storing the order, an hour ago.
    await orders.store.orderRequests.insertOne({
      _id: `${userId}:${idempotencyKey}`,
      hash: hashOf(lines),
      orderId,
      createdAt: new Date(Date.now() - 60 * MINUTE),
      open: true,
    });
    const reserved = await fetch(`${productsAt.url}/internal/reservations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': INTERNAL_API_KEY },
      body: JSON.stringify({ reservationId: orderId, lines }),
    });
    expect(reserved.status).toBe(200);
    expect(await stockOf(productId)).toBe(3);

    const now = new Date();
    expect((await sweep(now)).abandoned).toBeGreaterThanOrEqual(1);
    expect(await stockOf(productId)).toBe(3); // given up, not released yet: a request may still be running
    const retried = await order('/api/orders', {
      token,
      headers: { 'Idempotency-Key': idempotencyKey },
      body: { lines },
    });
    expect(retried.status).toBe(409);
    expect(retried.body.code).toBe('ORDER_ABANDONED');

    const afterGrace = new Date(now.getTime() + 3 * MINUTE);
    expect((await sweep(afterGrace)).released).toBeGreaterThanOrEqual(1);
    expect(await stockOf(productId)).toBe(5);
    await sweep(new Date(afterGrace.getTime() + 3 * MINUTE));
    await fetch(`${productsAt.url}/internal/reservations/${orderId}/release`, {
      method: 'POST',
      headers: { 'x-api-key': INTERNAL_API_KEY },
    });
    expect(await stockOf(productId)).toBe(5); // released once, however often asked
    expect(await orders.store.findOrder(orderId)).toBeNull();
  });

  it('when the order was stored but its answer was not, then the sweeper keeps the order and its stock', async () => {
    const productId = await newProduct(5);
    const userId = randomUUID();
    const token = await tokens.sign({ userId, email: 'c@stackdrill.local', role: 'customer' });
    const idempotencyKey = key();
    const body = { lines: [{ productId, quantity: 1 }] };
    const placed = await order('/api/orders', {
      token,
      headers: { 'Idempotency-Key': idempotencyKey },
      body,
    });
    expect(placed.status).toBe(201);
    // As if the process died after storing the order, before recording the answer, an hour ago.
    await orders.store.orderRequests.updateOne(
      { _id: `${userId}:${idempotencyKey}` },
      { $unset: { outcome: '' }, $set: { createdAt: new Date(Date.now() - 60 * MINUTE), open: true } },
    );
    const now = new Date();
    await sweep(now);
    await sweep(new Date(now.getTime() + 3 * MINUTE));
    expect(await stockOf(productId)).toBe(4);
    const retried = await order('/api/orders', {
      token,
      headers: { 'Idempotency-Key': idempotencyKey },
      body,
    });
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(placed.body.id);
  });
});

describe('the sweeper on its timer', () => {
  it('when a service runs with a 1 s sweep interval, then its timer gives up an old unanswered request and releases a given-up one, with no call from the test', async () => {
    // An order service of its own, on a database of its own, so its timer is the only sweeper there.
    const sweeping = await createOrderService(
      loadConfig('order', ORDER_CONFIG, {
        ...env,
        PORT: '0',
        MONGO_DB: `orders_sweep_${randomUUID().slice(0, 8)}`,
        SWEEP_INTERVAL_S: '1',
      }),
    );
    try {
      const productId = await newProduct(5);
      const hour = 60 * 60_000;
      const unanswered = { _id: `${randomUUID()}:${key()}`, orderId: randomUUID() };
      const givenUp = { _id: `${randomUUID()}:${key()}`, orderId: randomUUID() };
      const reserve = (orderId: string) =>
        fetch(`${productsAt.url}/internal/reservations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': INTERNAL_API_KEY },
          body: JSON.stringify({ reservationId: orderId, lines: [{ productId, quantity: 2 }] }),
        });
      expect((await reserve(unanswered.orderId)).status).toBe(200);
      expect((await reserve(givenUp.orderId)).status).toBe(200);
      expect(await stockOf(productId)).toBe(1);
      // What a process leaves when it dies mid-way an hour ago, and what the first pass leaves.
      await sweeping.store.orderRequests.insertMany([
        { ...unanswered, hash: 'h', createdAt: new Date(Date.now() - hour), open: true },
        {
          ...givenUp,
          hash: 'h',
          createdAt: new Date(Date.now() - 2 * hour),
          abandonedAt: new Date(Date.now() - hour),
          outcome: { status: 409, body: { code: 'ORDER_ABANDONED', message: 'given up' } },
        },
      ]);
      const deadline = Date.now() + 20_000;
      const swept = async () => {
        const [a, b] = await Promise.all([
          sweeping.store.orderRequests.findOne({ _id: unanswered._id }),
          sweeping.store.orderRequests.findOne({ _id: givenUp._id }),
        ]);
        return a?.abandonedAt instanceof Date && b?.sweptAt instanceof Date;
      };
      while (!(await swept()) && Date.now() < deadline) await sleep(200);
      const claim = await sweeping.store.orderRequests.findOne({ _id: unanswered._id });
      expect(claim?.outcome?.status).toBe(409);
      expect((claim?.outcome?.body as { code: string }).code).toBe('ORDER_ABANDONED');
      expect((await sweeping.store.orderRequests.findOne({ _id: givenUp._id }))?.sweptAt).toBeInstanceOf(
        Date,
      );
      expect(await stockOf(productId)).toBe(3); // the given-up one's 2 back; the other's still held (grace)
    } finally {
      await sweeping.service.stop();
    }
  });
});

describe('GET /openapi.json', () => {
  it('when fetched, then it documents the four operations of the order service', async () => {
    const { body } = await order('/openapi.json', {}, 'GET');
    const paths = body.paths as Record<string, Record<string, { operationId: string }>>;
    const operations = Object.values(paths).flatMap((m) => Object.values(m).map((o) => o.operationId));
    expect(operations.sort()).toEqual(['getOrder', 'listMyOrders', 'payOrder', 'placeOrder']);
  });
});
