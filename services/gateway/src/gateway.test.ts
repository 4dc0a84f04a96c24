import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { Api, FaultSwitches, loadConfig, Service, serviceRoutes, type BoundAddress } from '@stackdrill/kit';
import { capturedLogger } from '@stackdrill/kit/testing';
import { SERVICE_NAMES } from '@stackdrill/facts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_CONFIG } from './config.ts';
import { createGateway } from './gateway.ts';

// The gateway in process, in front of a fake upstream that is a kit service as every real one is
// built (serviceRoutes: /internal behind the API key, with the fault switches), standing in for all
// five. Its Redis is a port nothing listens on: the rate limits fall back to memory, as they do when
// Redis is down. Nothing of a stack is needed or touched.
const KEY = 'gateway-unit-test-api-key-0123456789abcdef';
const JWT_SECRET = 'gateway-unit-test-jwt-secret-0123456789abcdef';

/** A port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const services: Service[] = [];
let gateway: BoundAddress;
let upstream: BoundAddress;
let upstreamFaults: FaultSwitches;
/** Every request URL the upstream received. */
const reached: string[] = [];

beforeAll(async () => {
  const { logger } = capturedLogger('upstream', 'warn');
  upstreamFaults = new FaultSwitches('order', logger);
  const api = new Api({ title: 'order', version: '1.0.0' });
  api.route(
    {
      method: 'get',
      path: '/api/orders',
      operationId: 'listOrders',
      summary: 'Orders',
      auth: 'none',
      request: {},
      responses: { 200: { description: 'the orders' } },
    },
    async () => ({ status: 200, body: { orders: [] } }),
  );
  const inner = serviceRoutes(api, { internalApiKey: KEY, faults: upstreamFaults });
  // The service's routes, noting each URL they are given (Express takes any handler as a router).
  const routes = ((...args: Parameters<typeof inner>) => {
    reached.push(args[0].url);
    inner(...args);
  }) as typeof inner;
  const fake = new Service({ name: 'order', logger, routes, faults: upstreamFaults });
  services.push(fake);
  upstream = await fake.start(0);

  const env: Record<string, string> = {
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
    JWT_SECRET,
    INTERNAL_API_KEY: KEY,
    REDIS_SENTINELS: `127.0.0.1:${await closedPort()}`,
  };
  for (const name of SERVICE_NAMES) env[`${name.toUpperCase()}_SERVICE_URL`] = upstream.url;
  const edge = createGateway(
    loadConfig('gateway', GATEWAY_CONFIG, env),
    capturedLogger('gateway', 'warn').logger,
  );
  services.push(edge);
  gateway = await edge.start(0);
});

afterAll(async () => {
  for (const service of services.reverse()) await service.stop();
});

/** A request with its path sent byte for byte (fetch would resolve `..` and `%2e` before sending). */
async function raw(base: string, method: string, path: string, apiKey?: string) {
  const body = method === 'PUT' ? JSON.stringify({ routes: [{ match: '*', errorRate: 1 }] }) : undefined;
  const request = httpRequest(`${base}/`, {
    method,
    path,
    headers: {
      ...(body
        ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
        : {}),
      ...(apiKey ? { 'x-api-key': apiKey } : {}),
    },
  });
  request.end(body);
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return { status: response.statusCode!, text: Buffer.concat(chunks).toString() };
}

/** Paths that name /internal/faults, directly or by a detour a lax router might take. */
const DETOURS = [
  '/internal/faults',
  '/INTERNAL/faults',
  '//internal/faults',
  '/internal/faults?x=1',
  '/api/../internal/faults',
  '/api/orders/../../internal/faults',
  '/api/orders/%2e%2e/%2e%2e/internal/faults',
  '/api/orders/..%2f..%2finternal%2ffaults',
  '/api/orders/%2F..%2F..%2Finternal/faults',
  '/api/orders/..;/..;/internal/faults',
  '/api/orders\\..\\..\\internal\\faults',
];

describe('the gateway and /internal', () => {
  it('when a client asks the gateway for /internal/faults in any spelling, then it is never served: the switches stay off', async () => {
    // All at once: a request that reaches the rate limits waits for the absent Redis (2 s) first.
    const calls = DETOURS.flatMap((path) => ['GET', 'PUT', 'DELETE'].map((method) => ({ method, path })));
    const answers = await Promise.all(
      // Even with the key in hand (the gateway adds its own to what it forwards, anyway).
      calls.map(async (call) => ({ ...call, ...(await raw(gateway.url, call.method, call.path, KEY)) })),
    );
    for (const { method, path, status, text } of answers) {
      expect(status, `${method} ${path}: ${text}`).toBeGreaterThanOrEqual(400);
      expect(text, `${method} ${path}`).not.toContain('"switches"');
    }
    expect(upstreamFaults.active()).toEqual([]);
    // What reached the service was under /api only, never its internal routes.
    expect(reached.filter((url) => !url.startsWith('/api/') && url !== '/openapi.json')).toEqual([]);
  });

  it('when the same service is called directly with the key, then its switches answer: the test above would have seen them', async () => {
    const direct = await raw(upstream.url, 'GET', '/internal/faults', KEY);
    expect(direct.status).toBe(200);
    expect(JSON.parse(direct.text)).toMatchObject({ service: 'order', active: [] });
  });

  it('when the API is called through the gateway, then it is proxied to the service', async () => {
    const answer = await raw(gateway.url, 'GET', '/api/orders');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ orders: [] });
    expect(reached).toContain('/api/orders');
  });
});
