import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { AccessTokens, loadConfig, type BoundAddress, type Service } from '@stackdrill/kit';
import { callJson, type CallJsonOptions } from '@stackdrill/kit/testing';
import { createOrderService } from '@stackdrill/order-service';
import { ORDER_CONFIG } from '@stackdrill/order-service/config';
import { createProductService } from '@stackdrill/product-service';
import { PRODUCT_CONFIG } from '@stackdrill/product-service/config';
import { dataTierEnvironment, NativeProvider } from '@stackdrill/stack';
import { createUserService } from '@stackdrill/user-service';
import { USER_CONFIG } from '@stackdrill/user-service/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_CONFIG } from './config.ts';
import { createGateway } from './gateway.ts';

// The gateway in front of real user, product and order services, on the `test` instance of the stack.
const JWT_SECRET = 'integration-test-secret-0123456789abcdef';
const INTERNAL_API_KEY = 'integration-test-api-key-0123456789abcdef';
const services: Service[] = [];
let gateway: BoundAddress;
let limited: BoundAddress;
let withUi: BoundAddress;
let uiDir: string;
let env: Record<string, string>;

/** A port nothing listens on: stands for a service that is down. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function start(service: Service): Promise<BoundAddress> {
  services.push(service);
  return service.start(0);
}

const call = (base: BoundAddress, method: string, path: string, options?: CallJsonOptions) =>
  callJson(base.url, method, path, options);

beforeAll(async () => {
  const endpoints = (await NativeProvider.open('test')).endpoints();
  const db = (name: string) => `${name}_gw_${randomUUID().slice(0, 8)}`;
  env = {
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...dataTierEnvironment(endpoints, { jwtSecret: JWT_SECRET, internalApiKey: INTERNAL_API_KEY }),
  };
  const user = await start(
    (await createUserService(loadConfig('user', USER_CONFIG, { ...env, MONGO_DB: db('users') }))).service,
  );
  const product = await start(
    (await createProductService(loadConfig('product', PRODUCT_CONFIG, { ...env, MONGO_DB: db('products') })))
      .service,
  );
  const order = await start(
    (
      await createOrderService(
        loadConfig('order', ORDER_CONFIG, {
          ...env,
          MONGO_DB: db('orders'),
          PRODUCT_SERVICE_URL: product.url,
        }),
      )
    ).service,
  );
  const down = `http://127.0.0.1:${await closedPort()}`;
  const gatewayEnv = {
    ...env,
    USER_SERVICE_URL: user.url,
    PRODUCT_SERVICE_URL: product.url,
    ORDER_SERVICE_URL: order.url,
    NOTIFICATION_SERVICE_URL: down,
    ANALYTICS_SERVICE_URL: down,
    BODY_LIMIT_BYTES: '2048',
  };
  gateway = await start(createGateway(loadConfig('gateway', GATEWAY_CONFIG, gatewayEnv)));
  limited = await start(
    createGateway(loadConfig('gateway', GATEWAY_CONFIG, { ...gatewayEnv, RATE_LIMIT_IP_PER_MIN: '5' })),
  );
  // A built UI as Vite lays it out: index.html and hashed assets.
  uiDir = await mkdtemp(join(tmpdir(), 'stackdrill-ui-'));
  await mkdir(join(uiDir, 'assets'));
  await writeFile(join(uiDir, 'index.html'), '<!doctype html><title>shop</title><div id="root"></div>');
  await writeFile(join(uiDir, 'assets', 'index-abc123.js'), 'console.log("shop")');
  withUi = await start(
    createGateway(loadConfig('gateway', GATEWAY_CONFIG, { ...gatewayEnv, UI_DIR: uiDir })),
  );
});

afterAll(async () => {
  for (const service of services.reverse()) await service.stop();
  if (uiDir) await rm(uiDir, { recursive: true, force: true });
});

describe('the gateway routes the API to its services', () => {
  it('when a customer registers, signs in, browses and orders through the gateway, then every step works', async () => {
    const email = `gw.${randomUUID().slice(0, 8)}@example.com`;
    expect(
      (await call(gateway, 'POST', '/api/users', { body: { email, password: 'long enough pw', name: 'Gw' } }))
        .status,
    ).toBe(201);
    const token = await call(gateway, 'POST', '/api/auth/token', {
      body: { grant_type: 'password', email, password: 'long enough pw' },
    });
    const auth = { authorization: `Bearer ${String(token.body.access_token)}` };
    expect((await call(gateway, 'GET', '/api/users/me', { headers: auth })).body.email).toBe(email);

    const admin = await new AccessTokens(JWT_SECRET).sign({
      userId: randomUUID(),
      email: 'a@x.io',
      role: 'admin',
    });
    const product = await call(gateway, 'POST', '/api/products', {
      headers: { authorization: `Bearer ${admin}` },
      body: {
        sku: `GW-${randomUUID().slice(0, 6).toUpperCase()}`,
        name: 'Gateway mug',
        category: 'kitchen',
        priceCents: 500,
        initialStock: 3,
      },
    });
    expect(product.status).toBe(201);
    expect((await call(gateway, 'GET', `/api/products/${String(product.body.id)}`)).body.stock).toBe(3);
    const placed = await call(gateway, 'POST', '/api/orders', {
      headers: { ...auth, 'Idempotency-Key': randomUUID() },
      body: { lines: [{ productId: product.body.id, quantity: 2 }] },
    });
    expect(placed.status).toBe(201);
    expect(placed.body.totalCents).toBe(1000);
  });

  it('when a request id is sent, then it comes back from the service; security headers are set', async () => {
    const response = await call(gateway, 'GET', '/api/products?limit=1', {
      headers: { 'x-request-id': 'gw-trace-1' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('gw-trace-1');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('ratelimit-limit')).toBe('1200');
  });

  it('when a token is forged, then the edge refuses it with 401 before any service', async () => {
    const forged = await new AccessTokens('another-secret-0123456789-0123456789').sign({
      userId: randomUUID(),
      email: 'x@y.z',
      role: 'admin',
    });
    const response = await call(gateway, 'GET', '/api/products', {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(response.status).toBe(401);
    expect(response.body.message).toBe('the access token is not valid');
  });

  it('when a browser on an allowed origin asks, then CORS allows it; another origin is not allowed', async () => {
    const preflight = (origin: string) =>
      fetch(`${gateway.url}/api/products`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET' },
      });
    expect((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin')).toBe(
      'http://localhost:5173',
    );
    expect((await preflight('http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    // The proxied answer itself carries them too, with the headers a browser script may read.
    const proxied = await fetch(`${gateway.url}/api/products?limit=1`, {
      headers: { origin: 'http://localhost:5173' },
    });
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(proxied.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('when a body is over the cap, then 413 without reaching the service', async () => {
    const response = await call(gateway, 'POST', '/api/users', {
      body: { email: 'a@b.co', password: 'x'.repeat(5000), name: 'Big' },
    });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when a service is down, then 503 with Retry-After, never a hang', async () => {
    const response = await call(gateway, 'GET', '/api/analytics/dashboard');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body.message).toBe('the analytics service is unavailable; retry shortly');
  });

  it("when a declared path is asked with another method, then the service's 405 and Allow pass through", async () => {
    for (const method of ['DELETE', 'PROPFIND', 'QUERY']) {
      // QUERY as a fuzzer sends it: without a Content-Type (Fastify refused that with 400).
      const headers: Record<string, string> = method === 'QUERY' ? { 'content-type': '' } : {};
      const response = await call(gateway, method, `/api/products/${randomUUID()}`, { headers });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
      expect(response.body.code).toBe('METHOD_NOT_ALLOWED');
    }
  });

  it('when a path belongs to no service, then a JSON 404', async () => {
    const response = await call(gateway, 'GET', '/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('NOT_FOUND');
  });

  it('when a client goes over its rate, then 429 with Retry-After and RateLimit headers', async () => {
    const statuses = [];
    let last;
    for (let i = 0; i < 7; i++) {
      last = await call(limited, 'GET', '/api/products?limit=1');
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('ratelimit-remaining')).toBe('0');
    expect(last!.body.code).toBe('RATE_LIMITED');
  });

  it('when a browser asks for the UI, then the shell, its assets and any client-side route load; the API keeps JSON 404s', async () => {
    const page = (path: string) => fetch(`${withUi.url}${path}`, { headers: { accept: 'text/html' } });
    const home = await page('/');
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<div id="root">');
    expect(home.headers.get('cache-control')).toBe('no-cache');
    expect(home.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    const asset = await fetch(`${withUi.url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const deepLink = await page('/products/0b0e6a4e-8a4e-4c1e-9d0a-5c1f0f1e2d3c');
    expect(deepLink.status).toBe(200);
    expect(await deepLink.text()).toContain('<div id="root">');
    expect((await page('/api/nothing-here')).status).toBe(404);
    expect((await fetch(`${withUi.url}/assets/missing.js`)).status).toBe(404);
    const api = await call(withUi, 'GET', '/api/products?limit=1');
    expect(api.status).toBe(200);
  });

  it('when /api/docs is fetched, then one document lists the operations of every service that answers', async () => {
    const { body } = await call(gateway, 'GET', '/api/docs');
    const paths = body.paths as Record<string, Record<string, { operationId: string }>>;
    const operations = Object.values(paths).flatMap((m) => Object.values(m).map((o) => o.operationId));
    expect(operations).toHaveLength(11); // user 3 + product 4 + order 4; notification and analytics are down here
    expect(body['x-unavailable']).toEqual(['analytics', 'notification']);
  });
});
