import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { endToEnd, Upstream } from './upstream.ts';

describe('endToEnd', () => {
  it('drops hop-by-hop headers and host, keeps the rest as they are', () => {
    expect(
      endToEnd({
        host: 'gateway:8080',
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic eA==',
        accept: 'application/json',
        'set-cookie': ['a=1', 'b=2'],
      }),
    ).toEqual({ accept: 'application/json', 'set-cookie': ['a=1', 'b=2'] });
  });

  it('drops the headers the Connection header names, so a client cannot pass a hop-only header on', () => {
    expect(
      endToEnd({
        connection: 'close, X-Internal-Hint ,x-other',
        'x-internal-hint': '1',
        'x-other': '2',
        a: '3',
      }),
    ).toEqual({ a: '3' });
  });
});

/** A server on a free loopback port; closed by the returned function. */
async function listen(handler: RequestListener): Promise<{ origin: string; close: () => Promise<void> }> {
  const server = createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client-facing server that forwards everything to `upstream`, as the gateway's routes do. */
function proxyTo(upstream: Upstream, unavailable: Error[]): RequestListener {
  return (req, res) =>
    upstream.forward(
      {
        method: req.method!,
        url: req.url!,
        headers: endToEnd(req.headers),
        ...(req.method === 'POST' ? { body: req } : {}),
      },
      res,
      {
        onHeaders: (_status, headers) => ({ ...headers, 'x-edge': 'added' }),
        onUnavailable: (error) => {
          unavailable.push(error);
          res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        },
      },
    );
}

describe('Upstream', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  /** A client-facing server in front of `origin`, and the failures it answered itself. */
  async function edgeFor(origin: string) {
    const upstream = new Upstream(origin, 5_000);
    closers.push(() => upstream.close());
    const unavailable: Error[] = [];
    const edge = await listen(proxyTo(upstream, unavailable));
    closers.push(edge.close);
    return { edge, unavailable };
  }

  it('streams a request body to the service and its answer back, hop-by-hop headers dropped both ways', async () => {
    const service = await listen(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      res.writeHead(201, {
        'content-type': 'application/json',
        connection: 'keep-alive, x-hop',
        'x-hop': 'only for this connection',
        'x-service': 'product',
      });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          body: Buffer.concat(chunks).toString(),
          hop: req.headers['x-client-hop'] ?? null,
          accept: req.headers.accept,
        }),
      );
    });
    closers.push(service.close);
    const { edge, unavailable } = await edgeFor(service.origin);

    // node:http, not fetch: fetch never sends a Connection header of the caller's.
    const request = httpRequest(`${edge.origin}/api/orders?x=1`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        connection: 'keep-alive, x-client-hop',
        'x-client-hop': 'for the gateway only',
      },
    });
    request.end(JSON.stringify({ productId: 'p1', quantity: 2 }));
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    expect(response.statusCode).toBe(201);
    expect(response.headers['x-edge']).toBe('added');
    expect(response.headers['x-service']).toBe('product');
    expect(response.headers['x-hop']).toBeUndefined();
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({
      method: 'POST',
      url: '/api/orders?x=1',
      body: '{"productId":"p1","quantity":2}',
      hop: null,
      accept: 'application/json',
    });
    expect(unavailable).toEqual([]);
  });

  it('when the service does not answer, then onUnavailable answers the client instead', async () => {
    const gone = await listen(() => {});
    await gone.close(); // its port is now refused
    const { edge, unavailable } = await edgeFor(gone.origin);

    const response = await fetch(`${edge.origin}/api/products/1`);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('unavailable');
    expect(unavailable).toHaveLength(1);
  });

  it('when the service fails after its answer started, then the client sees the response cut, not a 503', async () => {
    const service = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('the first part of a longer answer');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    closers.push(service.close);
    const { edge, unavailable } = await edgeFor(service.origin);

    const response = await fetch(`${edge.origin}/api/products/1`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    // The proxy learns of the failure in the same I/O turn as the client, in either order.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(unavailable).toEqual([]);
  });
});
