import { Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { Api } from '../http/api.ts';
import { serviceRoutes } from '../runtime.ts';
import { Service, type BoundAddress } from '../service.ts';
import { capturedLogger } from '../testing/captured-logger.ts';
import { FaultSwitches } from './catalogue.ts';
import { delayOf } from './middleware.ts';

const KEY = 'fault-test-api-key-0123456789abcdef0123';
const internalHeaders = { 'x-api-key': KEY, 'content-type': 'application/json' };

/** A random source that returns the given draws in turn, round and round. */
const draws = (...values: number[]) => {
  let next = 0;
  return () => values[next++ % values.length]!;
};

interface Shop {
  service: Service;
  faults: FaultSwitches;
  /** How many requests the API's handlers ran. */
  handled: () => number;
}

/** A service as the kit builds every one (serviceRoutes), with two API routes and an internal one. */
function shop(options: { random?: () => number; drainMs?: number } = {}): Shop {
  const { logger } = capturedLogger('shop', 'warn');
  const faults = new FaultSwitches('shop', logger, options.random ? { random: options.random } : {});
  const api = new Api({ title: 'shop', version: '1.0.0' });
  let handled = 0;
  api.route(
    {
      method: 'post',
      path: '/api/orders',
      operationId: 'placeOrder',
      summary: 'Place an order',
      auth: 'none',
      request: {},
      responses: { 201: { description: 'placed' } },
    },
    async () => {
      handled++;
      return { status: 201, body: { placed: true } };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/api/products/:id',
      operationId: 'getProduct',
      summary: 'A product',
      auth: 'none',
      request: {},
      responses: { 200: { description: 'the product' } },
    },
    async () => {
      handled++;
      return { status: 200, body: { product: true } };
    },
  );
  const internal = Router();
  internal.get('/reservations', (_req, res) => {
    res.json({ internal: true });
  });
  const service = new Service({
    name: 'shop',
    logger,
    routes: serviceRoutes(api, { internalApiKey: KEY, faults, internal }),
    faults,
    readiness: {},
    drainMs: options.drainMs ?? 2000,
  });
  return { service, faults, handled: () => handled };
}

let running: Service | undefined;
let address: BoundAddress;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(options: Parameters<typeof shop>[0] = {}): Promise<Shop> {
  const built = shop(options);
  running = built.service;
  address = await built.service.start(0);
  return built;
}

const placeOrder = (init: RequestInit = {}) =>
  fetch(`${address.url}/api/orders`, { method: 'POST', ...init });

async function timed(request: () => Promise<Response>): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await request();
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

describe('the delay of a rule', () => {
  it('when a rule has no jitter, then the delay is its latency, and no draw is made', () => {
    const random = () => {
      throw new Error('no draw expected');
    };
    expect(delayOf({ latencyMs: 250, jitterMs: 0 }, random)).toBe(250);
  });

  it('when it has jitter, then the delay is latency ± jitter, uniform, never below 0', () => {
    expect(delayOf({ latencyMs: 300, jitterMs: 100 }, () => 0)).toBe(200);
    expect(delayOf({ latencyMs: 300, jitterMs: 100 }, () => 0.5)).toBe(300);
    expect(delayOf({ latencyMs: 300, jitterMs: 100 }, () => 0.999999)).toBe(400);
    expect(delayOf({ latencyMs: 50, jitterMs: 100 }, () => 0)).toBe(0);
  });
});

describe('the routes fault switch, in a running service', () => {
  it('when an error rate is set, then that share of matching requests is answered 503 FAULT_INJECTED in the error shape, and never handled', async () => {
    // Draws under the rate fail: 0.1 and 0.3 fail, 0.6 and 0.9 pass.
    const { faults, handled } = await start({ random: draws(0.1, 0.6, 0.3, 0.9) });
    faults.change({ routes: [{ match: 'POST /api/orders', errorRate: 0.5 }] });
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const response = await placeOrder({ headers: { 'x-request-id': `req-${i}` } });
      answers.push({
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as Record<string, unknown>,
      });
    }
    expect(answers.map((a) => a.status)).toEqual([503, 201, 503, 201]);
    expect(handled()).toBe(2);
    expect(answers[0]).toEqual({
      status: 503,
      retryAfter: '1',
      body: {
        code: 'FAULT_INJECTED',
        message: expect.stringMatching(
          /^injected fault: the routes fault switch fails a share 0\.5 of "POST \/api\/orders"/,
        ),
        requestId: 'req-0',
      },
    });
  });

  it('when requests do not match the rule, then they are handled as always', async () => {
    const { faults, handled } = await start({ random: () => 0 });
    faults.change({ routes: [{ match: 'POST /api/orders', errorRate: 1 }] });
    expect((await fetch(`${address.url}/api/products/p1`)).status).toBe(200);
    expect((await placeOrder()).status).toBe(503);
    expect(handled()).toBe(1);
  });

  it('when a latency is set, then matching requests take that much longer, and are then handled', async () => {
    const { faults, handled } = await start();
    faults.change({ routes: [{ match: 'GET /api/products/:id', latencyMs: 300 }] });
    const slow = await timed(() => fetch(`${address.url}/api/products/p1`));
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(295);
    expect(handled()).toBe(1);
    faults.reset();
    expect((await timed(() => fetch(`${address.url}/api/products/p1`))).ms).toBeLessThan(250);
  });

  it('when a rule has latency and jitter, then the delay follows the random draw', async () => {
    const { faults } = await start({ random: () => 0 });
    faults.change({ routes: [{ match: '*', latencyMs: 400, jitterMs: 300 }] }); // draw 0: 400 − 300 ms
    const jittered = await timed(() => placeOrder());
    expect(jittered.status).toBe(201);
    expect(jittered.ms).toBeGreaterThanOrEqual(95);
    expect(jittered.ms).toBeLessThan(350);
  });

  it('when the rule is * with every request failing, then probes, metrics, the document and /internal still answer', async () => {
    const { faults } = await start({ random: () => 0 });
    faults.change({ routes: [{ match: '*', errorRate: 1 }] });
    for (const path of ['/health', '/ready', '/metrics', '/openapi.json']) {
      expect((await fetch(`${address.url}${path}`)).status, path).toBe(200);
    }
    for (const path of ['/internal/faults', '/internal/reservations', '/INTERNAL/faults']) {
      expect((await fetch(`${address.url}${path}`, { headers: internalHeaders })).status, path).toBe(200);
    }
    expect((await fetch(`${address.url}/api/products/p1`)).status).toBe(503);
    expect((await fetch(`${address.url}/api/unknown`)).status).toBe(503);
    // The switch can always be turned off again.
    expect(
      (await fetch(`${address.url}/internal/faults`, { method: 'DELETE', headers: internalHeaders })).status,
    ).toBe(200);
    expect((await fetch(`${address.url}/api/products/p1`)).status).toBe(200);
  });

  it('when a fault is injected, then the metrics count it under the route it stands in for, and show the switch on', async () => {
    const { faults } = await start({ random: () => 0 });
    faults.change({ routes: [{ match: 'POST /api/orders', errorRate: 1 }] });
    await placeOrder();
    const metrics = await (await fetch(`${address.url}/metrics`)).text();
    expect(metrics).toMatch(
      /http_requests_total\{method="POST",route="\/api\/orders",status="503",service="shop"\} 1/,
    );
    expect(metrics).toContain('stackdrill_fault_active{switch="routes",service="shop"} 1');
    expect(metrics).toContain('stackdrill_fault_active{switch="consumers",service="shop"} 0');
  });

  it('when the client leaves during the delay, then the request is not handled', async () => {
    const { faults, handled } = await start();
    faults.change({ routes: [{ match: 'POST /api/orders', latencyMs: 400 }] });
    await expect(placeOrder({ signal: AbortSignal.timeout(100) })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(handled()).toBe(0);
  });

  it('when the service stops during a long injected delay, then stop returns after its drain bound and the request is not handled', async () => {
    const { service, faults, handled } = await start({ drainMs: 200 });
    faults.change({ routes: [{ match: 'POST /api/orders', latencyMs: 30_000 }] });
    const pending = placeOrder().catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopping = performance.now();
    await service.stop();
    expect(performance.now() - stopping).toBeLessThan(1500);
    expect(await pending).toBeInstanceOf(Error); // its connection was cut
    expect(handled()).toBe(0);
  });
});
