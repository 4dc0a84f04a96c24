import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { Service } from './service.ts';

// Its own file: the tracer provider is set up once per process, here with an OTLP endpoint.
let collector: Server;
const received: { path: string; contentType: string; body: string }[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: String(req.headers['content-type']),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;
});

afterAll(() => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  collector.close();
});

describe('trace export over OTLP/HTTP', () => {
  it('when an endpoint is configured, then a request span reaches it with the caller trace id, at the latest on stop', async () => {
    const routes = Router();
    routes.get('/api/ping', (_req, res) => {
      res.json({ ok: true });
    });
    const service = new Service({
      name: 'export-test',
      logger: createLogger('export-test', 'silent'),
      routes,
    });
    const address = await service.start(0);
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    await fetch(`${address.url}/api/ping`, { headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } });
    await service.stop(); // flushes what the batch processor holds
    const exports = received.filter((r) => r.path === '/v1/traces');
    expect(exports.length).toBeGreaterThan(0);
    const body = exports.map((e) => e.body).join('\n');
    expect(body).toContain(traceId);
    expect(body).toContain('GET /api/ping');
    expect(body).toContain('export-test');
  });
});
