import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogger } from '../testing/captured-logger.ts';
import { accessLog } from './access-log.ts';

const captured = capturedLogger('access-log-test');
const { logger } = captured;
const parsedLines = () => captured.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use((_req, res, next) => {
    res.setHeader('x-request-id', 'req-1');
    next();
  });
  app.use(accessLog(logger, (url) => url === '/health'));
  app.get('/health', (_req, res) => void res.json({ ok: true }));
  app.get('/ok', (_req, res) => void res.json({ ok: true }));
  app.get('/missing', (_req, res) => void res.status(404).json({ code: 'NOT_FOUND' }));
  app.get('/broken', (_req, res) => void res.status(503).json({ code: 'SERVICE_UNAVAILABLE' }));
  app.get('/slow', (_req, res) => void setTimeout(() => res.json({ late: true }), 300));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const lineFor = async (url: string) => {
  const find = () => parsedLines().find((l) => (l.req as { url: string }).url === url);
  await expect.poll(find).toBeDefined();
  return find()!;
};

describe('accessLog', () => {
  it('when a request succeeds, then one info line names it with its id, status and time', async () => {
    await fetch(`${base}/ok?x=1`);
    const line = await lineFor('/ok?x=1');
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { id: 'req-1', method: 'GET', url: '/ok?x=1', remoteAddress: '127.0.0.1' },
      res: { statusCode: 200 },
    });
    expect(typeof line.responseTime).toBe('number');
  });

  it('when it fails, then 4xx is a warning and 5xx an error', async () => {
    await fetch(`${base}/missing`);
    await fetch(`${base}/broken`);
    expect((await lineFor('/missing')).level).toBe(40);
    expect((await lineFor('/broken')).level).toBe(50);
  });

  it('when the client goes away before the answer, then the line says so', async () => {
    const controller = new AbortController();
    const request = fetch(`${base}/slow`, { signal: controller.signal }).catch(() => undefined);
    await sleep(50);
    controller.abort();
    await request;
    expect(await lineFor('/slow')).toMatchObject({ level: 40, msg: 'request aborted by the client' });
  });

  it('when the path is skipped, then no line is written', async () => {
    await fetch(`${base}/health`);
    await fetch(`${base}/ok`);
    await lineFor('/ok');
    expect(parsedLines().some((l) => (l.req as { url: string }).url === '/health')).toBe(false);
  });
});
