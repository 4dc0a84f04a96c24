import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors.ts';
import { validated } from './http/validate.ts';
import { currentTraceparent } from './tracing.ts';
import { Service, type BoundAddress } from './service.ts';
import { capturedLogger } from './testing/captured-logger.ts';

const { logger, lines: logLines } = capturedLogger('test-service', 'debug');

function buildService(options: { ready?: () => Promise<unknown>; closed?: string[]; drainMs?: number } = {}) {
  const routes = Router();
  routes.post(
    '/api/items',
    validated(
      { body: z.strictObject({ name: z.string().min(1).max(50), qty: z.number().int().positive() }) },
      (input, _req, res) => {
        res.status(201).json({ created: input.body });
      },
    ),
  );
  routes.get(
    '/api/items/:id',
    validated({ params: z.strictObject({ id: z.uuid() }) }, () => {
      throw AppError.notFound('item');
    }),
  );
  routes.get('/api/boom', () => {
    throw new Error('secret internals: connection string mongodb://admin:pw@db');
  });
  routes.get('/api/down', () => {
    throw AppError.unavailable('mongo', 7);
  });
  routes.get('/api/trace', (_req, res) => {
    res.json({ traceparent: currentTraceparent() });
  });
  routes.get('/api/slow', async (_req, res) => {
    await sleep(300);
    res.json({ slow: true });
  });
  routes.get('/api/hang', () => new Promise(() => {}));
  return new Service({
    name: 'test-service',
    logger,
    routes,
    bodyLimit: '1kb',
    readiness: { mongo: options.ready ?? (async () => true) },
    closers: [{ name: 'client', close: async () => options.closed?.push('client') }],
    drainMs: options.drainMs ?? 2000,
  });
}

/** What the tests read from JSON responses (error bodies and the few success bodies). */
type Json = { code: string; message: string; details: { path: string; message: string }[] } & Record<
  string,
  unknown
>;
const json = (response: Response) => response.json() as Promise<Json>;

let service: Service;
let address: BoundAddress;

afterEach(async () => {
  await service?.stop();
});

const post = (path: string, body: string) =>
  fetch(`${address.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('service kit HTTP edges', () => {
  it('when started on port 0, then it binds a free port and answers /health', async () => {
    service = buildService();
    address = await service.start(0);
    expect(address.port).toBeGreaterThan(0);
    expect(await json(await fetch(`${address.url}/health`))).toEqual({ status: 'ok' });
  });

  it('when a caller keeps its connection, then the service keeps it idle longer than a pool or load balancer does', async () => {
    service = buildService();
    address = await service.start(0);
    const response = await fetch(`${address.url}/health`);
    // Callers keep idle connections up to a minute; a server closing first would race their reuse.
    expect(response.headers.get('keep-alive')).toBe('timeout=65');
  });

  it('when input is valid, then the handler gets it parsed; when not, a 400 names the field', async () => {
    service = buildService();
    address = await service.start(0);
    const ok = await post('/api/items', JSON.stringify({ name: 'mug', qty: 2 }));
    expect(ok.status).toBe(201);
    expect(await json(ok)).toEqual({ created: { name: 'mug', qty: 2 } });

    const wrongType = await post('/api/items', JSON.stringify({ name: 'mug', qty: 'two' }));
    expect(wrongType.status).toBe(400);
    const body = await json(wrongType);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.details[0]?.path).toBe('qty');
  });

  it('when a body smuggles unknown fields or a Mongo operator, then it is rejected', async () => {
    service = buildService();
    address = await service.start(0);
    const unknown = await post('/api/items', JSON.stringify({ name: 'mug', qty: 1, admin: true }));
    expect(unknown.status).toBe(400);
    expect((await json(unknown)).code).toBe('VALIDATION_FAILED');
    const operator = await post('/api/items', JSON.stringify({ name: { $ne: null }, qty: 1 }));
    expect(operator.status).toBe(400);
    expect((await json(operator)).details[0]?.path).toBe('name');
  });

  it('when the body is malformed or too large, then 400 MALFORMED_JSON or 413', async () => {
    service = buildService();
    address = await service.start(0);
    const malformed = await post('/api/items', '{"name": "mug",');
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).code).toBe('MALFORMED_JSON');
    const large = await post('/api/items', JSON.stringify({ name: 'x'.repeat(2000), qty: 1 }));
    expect(large.status).toBe(413);
    expect((await json(large)).message).toContain('1024 bytes');
  });

  it('when a path parameter is not an id, then 400; when the thing does not exist, then 404', async () => {
    service = buildService();
    address = await service.start(0);
    expect((await fetch(`${address.url}/api/items/not-a-uuid`)).status).toBe(400);
    const missing = await fetch(`${address.url}/api/items/0b0e6a4e-8a4e-4c1e-9d0a-5c1f0f1e2d3c`);
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ code: 'NOT_FOUND', message: 'item was not found' });
    const noRoute = await fetch(`${address.url}/api/nothing`);
    expect(noRoute.status).toBe(404);
    expect((await json(noRoute)).message).toBe('no route for GET /api/nothing');
  });

  it('when a handler throws an unexpected error, then 500 reveals nothing but the request id, and the log has it', async () => {
    service = buildService();
    address = await service.start(0);
    const response = await fetch(`${address.url}/api/boom`, { headers: { 'x-request-id': 'req-42' } });
    expect(response.status).toBe(500);
    const body = await json(response);
    expect(body).toEqual({ code: 'INTERNAL', message: expect.any(String), requestId: 'req-42' });
    expect(JSON.stringify(body)).not.toContain('mongodb://');
    expect(response.headers.get('x-request-id')).toBe('req-42');
    expect(logLines.some((l) => l.includes('req-42') && l.includes('secret internals'))).toBe(true);
  });

  it('when a dependency is down, then 503 with Retry-After', async () => {
    service = buildService();
    address = await service.start(0);
    const response = await fetch(`${address.url}/api/down`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('7');
    expect((await json(response)).code).toBe('DEPENDENCY_UNAVAILABLE');
  });

  it('when a readiness check fails, then /ready is 503 and names it; /health stays 200', async () => {
    service = buildService({ ready: async () => Promise.reject(new Error('connect ECONNREFUSED')) });
    address = await service.start(0);
    const response = await fetch(`${address.url}/ready`);
    expect(response.status).toBe(503);
    expect(await json(response)).toEqual({
      status: 'unavailable',
      checks: { mongo: 'connect ECONNREFUSED' },
    });
    expect((await fetch(`${address.url}/health`)).status).toBe(200);
  });

  it('when requests were served, then /metrics has RED metrics labelled by route pattern', async () => {
    service = buildService();
    address = await service.start(0);
    await fetch(`${address.url}/api/items/0b0e6a4e-8a4e-4c1e-9d0a-5c1f0f1e2d3c`);
    const text = await (await fetch(`${address.url}/metrics`)).text();
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/items\/:id",status="404",service="test-service"\} 1/,
    );
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect(text).toContain('process_resident_memory_bytes');
  });
});

describe('service kit tracing', () => {
  it('when a request carries a traceparent, then it is handled in a child span of that trace and logged with its id', async () => {
    service = buildService();
    address = await service.start(0);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${address.url}/api/trace`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'trace-req-1' },
    });
    const { traceparent } = (await response.json()) as { traceparent: string };
    const [, seenTrace, seenSpan] = traceparent.split('-');
    expect(seenTrace).toBe(traceId);
    expect(seenSpan).not.toBe('00f067aa0ba902b7');
    expect(traceparent.endsWith('-01')).toBe(true); // the caller asked for a sampled trace
    await expect
      .poll(() => logLines.find((l) => l.includes('trace-req-1')))
      .toContain(`"trace_id":"${traceId}"`);
  });

  it('when a request has no trace context, then a new trace starts (unsampled: nothing exports it)', async () => {
    service = buildService();
    address = await service.start(0);
    const { traceparent } = (await (await fetch(`${address.url}/api/trace`)).json()) as {
      traceparent: string;
    };
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});

describe('service kit shutdown', () => {
  it('when stopped during a request, then the request completes, new connections are refused, clients close', async () => {
    const closed: string[] = [];
    service = buildService({ closed });
    address = await service.start(0);
    const inFlight = fetch(`${address.url}/api/slow`);
    await sleep(50);
    const stopped = service.stop();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ slow: true });
    await stopped;
    expect(closed).toEqual(['client']);
    await expect(fetch(`${address.url}/health`)).rejects.toThrow();
  });

  it('when a request never finishes, then stop still returns after the drain bound', async () => {
    service = buildService({ drainMs: 200 });
    address = await service.start(0);
    const hanging = fetch(`${address.url}/api/hang`).catch(() => 'cut');
    await sleep(50);
    const t0 = Date.now();
    await service.stop();
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(await hanging).toBe('cut');
  });
});
