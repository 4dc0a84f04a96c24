import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callJson } from './call-json.ts';

// A throwaway server that records what it got and answers whatever the test set (it publishes no
// OpenAPI document, so the calls skip the contract; response-contract.test.ts tests that).
let server: Server;
let baseUrl: string;
let received: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string };
let answer: { status: number; contentType: string; body: string };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      res.writeHead(answer.status, { 'content-type': answer.contentType, 'x-answered-by': 'stub' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  answer = { status: 200, contentType: 'application/json', body: '{"ok":true}' };
});

afterAll(async () => {
  server.closeAllConnections(); // fetch keeps its connections alive
  await new Promise((resolve) => server.close(resolve));
});

describe('callJson', () => {
  it('when a body and a token are given, then JSON is sent with its content type and the bearer token', async () => {
    answer = { status: 201, contentType: 'application/json', body: '{"id":"a1"}' };
    const response = await callJson<{ id: string }>(baseUrl, 'POST', '/api/things?x=1', {
      body: { name: 'mug', qty: 2 },
      token: 'tok-123',
      headers: { 'idempotency-key': 'k1' },
      contract: false,
    });
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/api/things?x=1');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers.authorization).toBe('Bearer tok-123');
    expect(received.headers['idempotency-key']).toBe('k1');
    expect(JSON.parse(received.body)).toEqual({ name: 'mug', qty: 2 });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-answered-by')).toBe('stub');
    expect(response.body).toEqual({ id: 'a1' });
  });

  it('when extra headers name a default, then they override it; without a token no authorization is sent', async () => {
    await callJson(baseUrl, 'GET', '/api/things', {
      headers: { 'content-type': 'text/plain' },
      contract: false,
    });
    expect(received.headers['content-type']).toBe('text/plain');
    expect(received.headers.authorization).toBeUndefined();
    expect(received.body).toBe('');
  });

  it('when the body is a string, then it is sent verbatim, not as a JSON string', async () => {
    await callJson(baseUrl, 'POST', '/api/users', { body: '{"email": ', contract: false });
    expect(received.body).toBe('{"email": ');
  });

  it('when the answer is empty, then the body is {}', async () => {
    answer = { status: 204, contentType: 'application/json', body: '' };
    const response = await callJson(baseUrl, 'DELETE', '/api/things/a1', { contract: false });
    expect(response.status).toBe(204);
    expect(response.body).toEqual({});
  });

  it('when the answer is not JSON, then the error names the call, its status and the first 200 characters', async () => {
    const page = `<html>${'x'.repeat(300)}</html>`;
    answer = { status: 502, contentType: 'text/html', body: page };
    const error = await callJson(baseUrl, 'GET', '/api/products', { contract: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      `GET /api/products answered 502 with a body that is not JSON: ${page.slice(0, 200)}`,
    );
  });
});
