import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flushTracing, loadConfig, type BoundAddress } from '@stackdrill/kit';
import { dataTierEnvironment, openProvider } from '@stackdrill/stack';
import { callJson, resetTracingGlobals } from '@stackdrill/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CONFIG } from './config.ts';
import { createUserService, type UserService } from './user-service.ts';

// Its own file, with an OTLP endpoint: a registration's trace must hold the data tier's spans.
// The integration files share one process, so the OpenTelemetry globals are reset around it.
interface ExportedSpan {
  traceId: string;
  name: string;
  kind: number;
}
const spans: ExportedSpan[] = [];
let collector: Server;
let app: UserService;
let address: BoundAddress;

beforeAll(async () => {
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: { scopeSpans?: { spans?: ExportedSpan[] }[] }[];
      };
      for (const resource of body.resourceSpans ?? [])
        for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  collector.listen(0, '127.0.0.1');
  await once(collector, 'listening');
  resetTracingGlobals();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  const endpoints = (await openProvider('test')).endpoints();
  const config = loadConfig('user', USER_CONFIG, {
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...dataTierEnvironment(endpoints, {
      jwtSecret: 'integration-test-secret-0123456789abcdef',
      internalApiKey: 'integration-test-api-key-0123456789abcdef',
    }),
    MONGO_DB: `users_trace_${randomUUID().slice(0, 8)}`,
  });
  app = await createUserService(config);
  address = await app.service.start(0);
});

afterAll(async () => {
  await app?.service.stop();
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  resetTracingGlobals();
  collector?.close();
});

/** Registers a new customer in a trace of its own, sampled or not; returns the trace id and the status. */
async function registerInTrace(sampled: boolean): Promise<{ traceId: string; status: number }> {
  const traceId = randomUUID().replaceAll('-', '');
  const { status } = await callJson(address.url, 'POST', '/api/users', {
    body: {
      email: `trace.${randomUUID().slice(0, 8)}@example.com`,
      password: 'correct horse battery',
      name: 'T',
    },
    headers: { traceparent: `00-${traceId}-b7ad6b7169203331-${sampled ? '01' : '00'}` },
  });
  return { traceId, status };
}

describe('data tier spans, while traces are exported', () => {
  it('when a customer registers in a sampled trace, then the trace holds MongoDB command spans and the publish of user.registered', async () => {
    const { traceId, status } = await registerInTrace(true);
    expect(status).toBe(201);
    // The outbox relay publishes the event after the answer; the batch processor exports on flush.
    await expect
      .poll(
        async () => {
          await flushTracing();
          return spans.filter((s) => s.traceId === traceId).map((s) => s.name);
        },
        { timeout: 15_000, interval: 250 },
      )
      .toContain('publish user-events');
    // OTLP span kinds: 2 server, 3 client, 4 producer.
    const kinds = Object.fromEntries(spans.filter((s) => s.traceId === traceId).map((s) => [s.name, s.kind]));
    expect(kinds).toEqual({ 'POST /api/users': 2, 'mongodb insert': 3, 'publish user-events': 4 });
  });

  it('when a request is not sampled, then it leaves no data tier spans', async () => {
    const { traceId, status } = await registerInTrace(false);
    expect(status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await flushTracing();
    expect(spans.filter((s) => s.traceId === traceId)).toEqual([]);
  });
});
