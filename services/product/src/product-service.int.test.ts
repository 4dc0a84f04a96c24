import { randomUUID } from 'node:crypto';
import { AccessTokens, loadConfig, type BoundAddress, type EventEnvelope } from '@stackdrill/kit';
import { dataTierEnvironment, openProvider, type Endpoints } from '@stackdrill/stack';
import { callJson, collectEvents, contractAt, type CallJsonOptions } from '@stackdrill/kit/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCT_CONFIG } from './config.ts';
import { InsufficientStock } from './data-access/inventory-ledger.ts';
import { createProductService, type ProductService } from './product-service.ts';

// Runs against the `test` instance of the stack (stack/test/global-setup.ts), in its own database.
const JWT_SECRET = 'integration-test-secret-0123456789abcdef';
const INTERNAL_API_KEY = 'integration-test-api-key-0123456789abcdef';
const tokens = new AccessTokens(JWT_SECRET);
let app: ProductService;
let address: BoundAddress;
let endpoints: Endpoints;
let admin: string;
let customer: string;

type Json = Record<string, unknown> & { code?: string; details?: { path: string }[] };
const call = (method: string, path: string, options?: CallJsonOptions) =>
  callJson<Json>(address.url, method, path, options);

const sku = () => `IT-${randomUUID().slice(0, 8).toUpperCase()}`;
const newProduct = (overrides: Record<string, unknown> = {}) => ({
  sku: sku(),
  name: 'Enamel mug',
  category: 'kitchen',
  priceCents: 1299,
  initialStock: 10,
  ...overrides,
});

beforeAll(async () => {
  endpoints = (await openProvider('test')).endpoints();
  const config = loadConfig('product', PRODUCT_CONFIG, {
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...dataTierEnvironment(endpoints, { jwtSecret: JWT_SECRET, internalApiKey: INTERNAL_API_KEY }),
    MONGO_DB: `products_it_${randomUUID().slice(0, 8)}`,
  });
  app = await createProductService(config);
  address = await app.service.start(0);
  admin = await tokens.sign({ userId: randomUUID(), email: 'admin@stackdrill.local', role: 'admin' });
  customer = await tokens.sign({ userId: randomUUID(), email: 'c@stackdrill.local', role: 'customer' });
});

afterAll(async () => {
  await app?.service.stop();
});

describe('POST /api/products', () => {
  it('when an admin creates a product, then 201 with its stock; the same SKU again is 409', async () => {
    const input = newProduct();
    const created = await call('POST', '/api/products', { body: input, token: admin });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ sku: input.sku, stock: 10, priceCents: 1299 });
    const again = await call('POST', '/api/products', { body: input, token: admin });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'SKU_TAKEN', details: { id: created.body.id } });
  });

  it('when a customer or nobody tries, then 403 or 401; when input is bad, then 400', async () => {
    expect((await call('POST', '/api/products', { body: newProduct(), token: customer })).status).toBe(403);
    expect((await call('POST', '/api/products', { body: newProduct() })).status).toBe(401);
    for (const [bad, field] of [
      [{ sku: 'lower-case' }, 'sku'],
      [{ priceCents: -5 }, 'priceCents'],
      [{ priceCents: 12.5 }, 'priceCents'],
      [{ category: { $gt: '' } }, 'category'],
    ] as const) {
      const response = await call('POST', '/api/products', { body: newProduct(bad), token: admin });
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(response.body.details?.[0]?.path).toBe(field);
    }
  });
});

describe('POST /api/products: names and descriptions', () => {
  it('when a name or description has a control or bidi character, then 400, and the document refuses it too', async () => {
    const contract = await contractAt(address.url);
    for (const [bad, field] of [
      [{ name: 'Mug\u0000' }, 'name'],
      [{ name: ' Mug' }, 'name'],
      [{ description: 'a mug\u0000' }, 'description'],
      [{ description: 'a \u202egum' }, 'description'],
    ] as const) {
      const body = newProduct(bad);
      expect(contract.allows('createProduct', 'body', body), JSON.stringify(bad)).toBe(false);
      const response = await call('POST', '/api/products', { body, token: admin });
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(response.body.details?.[0]?.path).toBe(field);
    }
  });

  it('when a description has lines and tabs, then it is accepted as sent', async () => {
    const description = 'Holds 350 ml.\n\tDishwasher safe.';
    const body = newProduct({ description });
    expect((await contractAt(address.url)).allows('createProduct', 'body', body)).toBe(true);
    const created = await call('POST', '/api/products', { body, token: admin });
    expect(created.status).toBe(201);
    expect(created.body.description).toBe(description);
  });
});

describe('GET /api/products/:id', () => {
  it('when the product exists, then 200 with stock, and product.viewed reaches analytics-events', async () => {
    const { body: product } = await call('POST', '/api/products', { body: newProduct(), token: admin });
    const collector = await collectEvents(
      endpoints.kafka.brokers,
      'analytics-events',
      (e) => e.subject === product.id,
    );
    let seen: EventEnvelope[];
    try {
      const viewed = await call('GET', `/api/products/${String(product.id)}`, { token: customer });
      expect(viewed.status).toBe(200);
      expect(viewed.body).toMatchObject({ id: product.id, stock: 10 });
      seen = await collector.until((events) => events.length > 0, 30_000);
    } finally {
      await collector.stop();
    }
    expect(seen[0]).toMatchObject({ type: 'product.viewed', data: { productId: product.id } });
  });

  it('when the id is in upper case, then it names the same product', async () => {
    const created = await call('POST', '/api/products', { body: newProduct(), token: admin });
    const found = await call('GET', `/api/products/${String(created.body.id).toUpperCase()}`);
    expect(found.status).toBe(200);
    expect(found.body.id).toBe(created.body.id);
  });

  it('when a token is presented on a public route, then it is checked as at the gateway: expired is 401; valid gets no-store', async () => {
    const created = await call('POST', '/api/products', { body: newProduct(), token: admin });
    const expired = await new SignJWT({ email: 'c@stackdrill.local', role: 'customer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(randomUUID())
      .setIssuer('stackdrill')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const refused = await call('GET', `/api/products/${String(created.body.id)}`, { token: expired });
    expect(refused.status).toBe(401);
    expect(refused.body.message).toContain('expired');
    expect((await call('GET', '/api/products?limit=1', { token: expired })).status).toBe(401);
    const mine = await call('GET', `/api/products/${String(created.body.id)}`, { token: customer });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.get('cache-control')).toBe('no-store');
  });

  it('when a declared path is asked with another method, then 405 with Allow', async () => {
    const deleted = await call('DELETE', `/api/products/${randomUUID()}`, { token: admin });
    expect(deleted.status).toBe(405);
    expect(deleted.headers.get('allow')).toBe('GET, HEAD');
    expect(deleted.body.code).toBe('METHOD_NOT_ALLOWED');
    const put = await call('PUT', '/api/products', { body: newProduct(), token: admin });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST, HEAD');
  });

  it('when the id is unknown or malformed, then 404 or 400', async () => {
    expect((await call('GET', `/api/products/${randomUUID()}`)).status).toBe(404);
    expect((await call('GET', '/api/products/not-a-uuid')).status).toBe(400);
  });
});

describe('the fault switches (/internal/faults)', () => {
  it('when a route fault fails every product detail, then those answer 503 FAULT_INJECTED late, the rest of the service works, and DELETE brings them back', async () => {
    const internal = { 'x-api-key': INTERNAL_API_KEY };
    const { body: product } = await call('POST', '/api/products', { body: newProduct(), token: admin });
    const detail = `/api/products/${String(product.id)}`;
    const rule = { match: 'GET /api/products/:id', latencyMs: 100, errorRate: 1 };
    try {
      expect((await call('PUT', '/internal/faults', { body: { routes: [rule] } })).status).toBe(401);
      const set = await call('PUT', '/internal/faults', { headers: internal, body: { routes: [rule] } });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ routes: [{ ...rule, jitterMs: 0 }] });
      const started = performance.now();
      const failed = await call('GET', detail);
      expect(performance.now() - started).toBeGreaterThanOrEqual(95);
      expect(failed.status).toBe(503);
      expect(failed.body.code).toBe('FAULT_INJECTED');
      expect(failed.headers.get('retry-after')).toBe('1');
      expect((await call('GET', '/api/products?limit=1')).status).toBe(200);
      expect((await fetch(`${address.url}/ready`)).status).toBe(200);
      const metrics = await (await fetch(`${address.url}/metrics`)).text();
      expect(metrics).toContain('stackdrill_fault_active{switch="routes",service="product"} 1');
      expect(metrics).toMatch(
        /http_requests_total\{method="GET",route="\/api\/products\/:id",status="503",service="product"\} [1-9]/,
      );
      expect((await call('GET', '/internal/faults', { headers: internal })).body).toMatchObject({
        service: 'product',
        active: ['routes'],
      });
    } finally {
      expect((await call('DELETE', '/internal/faults', { headers: internal })).status).toBe(200);
    }
    expect((await call('GET', detail)).status).toBe(200);
    const bad = await call('PUT', '/internal/faults', {
      headers: internal,
      body: { payment: { failureRate: 1 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(
      /^unknown fault switch "payment" \(the fault switches of the product service: routes, consumers\)/,
    );
  });
});

describe('GET /api/products', () => {
  it('when paging by cursor, then every matching product appears once, in price order', async () => {
    const category = `it-${randomUUID().slice(0, 8)}`;
    const prices = [500, 1500, 700, 700, 2500, 100, 900];
    for (const [i, priceCents] of prices.entries()) {
      await call('POST', '/api/products', {
        body: newProduct({ category, priceCents, name: `Item ${i}` }),
        token: admin,
      });
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/products?category=${category}&sort=price_asc&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const { status, body } = await call('GET', query);
      expect(status).toBe(200);
      seen.push(...(body.items as { priceCents: number }[]).map((p) => p.priceCents));
      cursor = body.nextCursor as string | null;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...prices].sort((a, b) => a - b));
    expect(pages).toBe(3);
  });

  it('when filtering by text and price, then only matches come back; pattern characters are literal', async () => {
    const category = `it-${randomUUID().slice(0, 8)}`;
    await call('POST', '/api/products', {
      body: newProduct({ category, name: 'Blue Teapot', priceCents: 3000 }),
      token: admin,
    });
    await call('POST', '/api/products', {
      body: newProduct({ category, name: 'Red teapot', priceCents: 1000 }),
      token: admin,
    });
    await call('POST', '/api/products', {
      body: newProduct({ category, name: 'Teacup', priceCents: 800 }),
      token: admin,
    });
    const text = await call('GET', `/api/products?category=${category}&q=TEAPOT`);
    expect((text.body.items as unknown[]).length).toBe(2);
    const cheap = await call('GET', `/api/products?category=${category}&q=teapot&maxPriceCents=2000`);
    expect((cheap.body.items as { name: string }[]).map((p) => p.name)).toEqual(['Red teapot']);
    const pattern = await call('GET', `/api/products?category=${category}&q=${encodeURIComponent('.*')}`);
    expect(pattern.body.items).toEqual([]);
  });

  it('when minPriceCents exceeds maxPriceCents, then the range is empty: 200 with no products', async () => {
    const empty = await call('GET', '/api/products?minPriceCents=500&maxPriceCents=100');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ items: [], nextCursor: null });
  });

  it('when the query is bad, then 400', async () => {
    expect((await call('GET', '/api/products?cursor=garbage')).body.code).toBe('INVALID_CURSOR');
    expect((await call('GET', '/api/products?sort=random')).status).toBe(400);
    expect((await call('GET', '/api/products?limit=1000')).status).toBe(400);
    expect((await call('GET', '/api/products?unknown=1')).status).toBe(400);
  });
});

describe('PATCH /api/products/:id/inventory', () => {
  it('when stock is adjusted, then the detail shows it at once; a replayed Idempotency-Key counts once', async () => {
    const { body: product } = await call('POST', '/api/products', { body: newProduct(), token: admin });
    const path = `/api/products/${String(product.id)}/inventory`;
    expect((await call('GET', `/api/products/${String(product.id)}`)).body.stock).toBe(10); // now cached
    const headers = { 'Idempotency-Key': `restock-${randomUUID()}` };
    const first = await call('PATCH', path, { body: { delta: 5, reason: 'restock' }, token: admin, headers });
    const replay = await call('PATCH', path, {
      body: { delta: 5, reason: 'restock' },
      token: admin,
      headers,
    });
    expect(first.body).toMatchObject({ stock: 15 });
    expect(replay.body).toEqual(first.body);
    expect((await call('GET', `/api/products/${String(product.id)}`)).body.stock).toBe(15);
  });

  it('when a delta is 0, a reason has a space at an end or the Idempotency-Key is malformed, then 400, and the document refuses it too', async () => {
    const contract = await contractAt(address.url);
    const created = await call('POST', '/api/products', { body: newProduct(), token: admin });
    const path = `/api/products/${String(created.body.id)}/inventory`;
    for (const [body, field] of [
      [{ delta: 0, reason: 'recount' }, 'delta'],
      [{ delta: 1, reason: ' recount' }, 'reason'],
      [{ delta: 1, reason: 're\u0000count' }, 'reason'],
    ] as const) {
      expect(contract.allows('adjustInventory', 'body', body), JSON.stringify(body)).toBe(false);
      const answer = await call('PATCH', path, { body, token: admin });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.details?.[0]?.path).toBe(field);
    }
    for (const key of ['short', 'has:colon-inside']) {
      expect(contract.allows('adjustInventory', 'Idempotency-Key', key), key).toBe(false);
      const body = { delta: 1, reason: 'recount' };
      const answer = await call('PATCH', path, { body, token: admin, headers: { 'Idempotency-Key': key } });
      expect(answer.status, key).toBe(400);
      expect(answer.body.details?.[0]?.path).toBe('Idempotency-Key');
    }
    // Spelled-out character classes: a generator reading `\w` as Python does would make these.
    expect(contract.allows('adjustInventory', 'Idempotency-Key', 'ünïcödé-letters')).toBe(false);
    expect(contract.allows('adjustInventory', 'Idempotency-Key', randomUUID())).toBe(true);
  });

  it('when the adjustment would go below zero, then 409 and nothing changes', async () => {
    const { body: product } = await call('POST', '/api/products', { body: newProduct(), token: admin });
    const path = `/api/products/${String(product.id)}/inventory`;
    const over = await call('PATCH', path, { body: { delta: -11, reason: 'breakage' }, token: admin });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'INSUFFICIENT_STOCK', details: { available: 10 } });
    expect((await call('PATCH', path, { body: { delta: 0, reason: 'nothing' }, token: admin })).status).toBe(
      400,
    );
    expect(
      (
        await call('PATCH', `/api/products/${randomUUID()}/inventory`, {
          body: { delta: 1, reason: 'found one' },
          token: admin,
        })
      ).status,
    ).toBe(404);
    expect((await call('GET', `/api/products/${String(product.id)}`)).body.stock).toBe(10);
  });
});

describe('PATCH /api/products/:id/inventory with an Idempotency-Key', () => {
  const created = async (initialStock = 10) =>
    String(
      (await call('POST', '/api/products', { body: newProduct({ initialStock }), token: admin })).body.id,
    );
  const adjust = (id: string, body: { delta: number; reason: string }, idempotencyKey: string) =>
    call('PATCH', `/api/products/${id}/inventory`, {
      body,
      token: admin,
      headers: { 'Idempotency-Key': idempotencyKey },
    });
  const stockOf = async (id: string) => (await call('GET', `/api/products/${id}`)).body.stock;

  it('when the same key is used on another product, then it is another change: both apply, each with its own figures', async () => {
    const [a, b] = [await created(10), await created(20)];
    const idempotencyKey = `restock-${randomUUID()}`;
    const first = await adjust(a, { delta: 5, reason: 'restock' }, idempotencyKey);
    const second = await adjust(b, { delta: -3, reason: 'breakage' }, idempotencyKey);
    expect(first).toMatchObject({ status: 200, body: { productId: a, stock: 15 } });
    expect(second).toMatchObject({ status: 200, body: { productId: b, stock: 17 } });
    expect([await stockOf(a), await stockOf(b)]).toEqual([15, 17]);
  });

  it('when the same key comes with another body on the same product, then 409 IDEMPOTENCY_KEY_REUSED and stock keeps the first change only', async () => {
    const a = await created(10);
    const idempotencyKey = `restock-${randomUUID()}`;
    expect((await adjust(a, { delta: 5, reason: 'restock' }, idempotencyKey)).status).toBe(200);
    for (const other of [
      { delta: 7, reason: 'restock' },
      { delta: 5, reason: 'a different reason' },
      { delta: -20, reason: 'restock' },
    ]) {
      const reused = await adjust(a, other, idempotencyKey);
      expect(reused.status, JSON.stringify(other)).toBe(409);
      expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(String(reused.body.message)).toContain('Idempotency-Key');
    }
    expect(await stockOf(a)).toBe(15);
    const replay = await adjust(a, { delta: 5, reason: 'restock' }, idempotencyKey);
    expect(replay.body).toMatchObject({ productId: a, stock: 15 });
  });

  it('when 10 identical requests with one key arrive at once, then the change applies once and every answer is the same', async () => {
    const a = await created(10);
    const idempotencyKey = `restock-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => adjust(a, { delta: 4, reason: 'restock' }, idempotencyKey)),
    );
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(answers[0]!.body).toMatchObject({ stock: 14 });
    expect(await app.ledger.stock(a)).toBe(14);
    expect(await app.ledger.collection.countDocuments({ productId: a, reason: 'restock' })).toBe(1);
  });

  it('when requests with one key and different bodies race, then exactly one applies and the others get 409', async () => {
    const a = await created(10);
    const idempotencyKey = `restock-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => adjust(a, { delta: i + 1, reason: 'restock' }, idempotencyKey)),
    );
    const applied = answers.filter((r) => r.status === 200);
    expect(applied).toHaveLength(1);
    expect(
      answers.filter((r) => r.status === 409).every((r) => r.body.code === 'IDEMPOTENCY_KEY_REUSED'),
    ).toBe(true);
    expect(await app.ledger.stock(a)).toBe(applied[0]!.body.stock);
  });
});

describe('the inventory ledger under concurrency', () => {
  it('when 50 orders race for 10 in stock, then exactly 10 succeed and stock ends at 0, never negative', async () => {
    const { body: product } = await call('POST', '/api/products', {
      body: newProduct({ initialStock: 10 }),
      token: admin,
    });
    const id = String(product.id);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => app.ledger.reserve(randomUUID(), [{ productId: id, quantity: 1 }])),
    );
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toBe(10);
    expect(lost.every((r) => (r as PromiseRejectedResult).reason instanceof InsufficientStock)).toBe(true);
    expect(await app.ledger.stock(id)).toBe(0);
    const entries = await app.ledger.collection.find({ productId: id }).sort({ seq: 1 }).toArray();
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.every((e) => e.balance >= 0)).toBe(true);
  });

  it('when one line of a reservation is short, then none is taken; the same reservation retried counts once', async () => {
    const a = String(
      (await call('POST', '/api/products', { body: newProduct({ initialStock: 5 }), token: admin })).body.id,
    );
    const b = String(
      (await call('POST', '/api/products', { body: newProduct({ initialStock: 1 }), token: admin })).body.id,
    );
    await expect(
      app.ledger.reserve('order-x', [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 2 },
      ]),
    ).rejects.toThrow(InsufficientStock);
    expect(await app.ledger.stock(a)).toBe(5);
    expect(await app.ledger.stock(b)).toBe(1);
    await app.ledger.reserve('order-y', [{ productId: a, quantity: 2 }]);
    await app.ledger.reserve('order-y', [{ productId: a, quantity: 2 }]);
    expect(await app.ledger.stock(a)).toBe(3);
  });
});

describe('GET /openapi.json', () => {
  it('when fetched, then it documents the four operations of the product service', async () => {
    const { body } = await call('GET', '/openapi.json');
    const paths = body.paths as Record<string, Record<string, { operationId: string }>>;
    const operations = Object.values(paths).flatMap((m) => Object.values(m).map((o) => o.operationId));
    expect(operations.sort()).toEqual(['adjustInventory', 'createProduct', 'getProduct', 'searchProducts']);
  });
});

describe('two deployments on one Redis', () => {
  it('when two product services with their own databases share a Redis, then neither serves the other’s cached catalogue', async () => {
    const config = loadConfig('product', PRODUCT_CONFIG, {
      PORT: '0',
      LOG_LEVEL: 'warn',
      ...dataTierEnvironment(endpoints, { jwtSecret: JWT_SECRET, internalApiKey: INTERNAL_API_KEY }),
      MONGO_DB: `products_it_other_${randomUUID().slice(0, 8)}`,
    });
    const other = await createProductService(config);
    const otherAddress = await other.service.start(0);
    try {
      const category = `shared-redis-${randomUUID().slice(0, 8)}`;
      const created = await call('POST', '/api/products', { body: newProduct({ category }), token: admin });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      // This deployment caches the listing and the detail...
      const mine = await call('GET', `/api/products?category=${category}`);
      expect((mine.body.items as { id: string }[]).map((p) => p.id)).toEqual([id]);
      expect((await call('GET', `/api/products/${id}`)).status).toBe(200);
      // ...and the other one, asked the same, answers from its own database only.
      const theirs = await callJson<Json>(otherAddress.url, 'GET', `/api/products?category=${category}`);
      expect(theirs.body.items).toEqual([]);
      expect((await callJson<Json>(otherAddress.url, 'GET', `/api/products/${id}`)).status).toBe(404);
    } finally {
      await other.service.stop();
    }
  });
});
