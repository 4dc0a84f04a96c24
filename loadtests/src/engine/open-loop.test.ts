import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { constantRate } from './open-loop.ts';

let server: Server | undefined;
afterEach(() => server?.close());

async function serve(handler: (n: number) => Promise<number> | number): Promise<string> {
  let n = 0;
  server = createServer((_req, res) => {
    void Promise.resolve(handler(n++)).then((status) => {
      res.statusCode = status;
      res.end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('constantRate', () => {
  it('sends rate × seconds requests, spread over the run', async () => {
    const url = await serve(() => 200);
    const started = performance.now();
    const summary = await constantRate({ url, rate: 200, seconds: 1 });
    const elapsedMs = performance.now() - started;
    expect(summary.scheduled).toBe(200);
    expect(summary.completed).toBe(200);
    expect(summary.errors).toBe(0);
    // Paced, not a burst: the last request is due at ~995 ms.
    expect(elapsedMs).toBeGreaterThan(950);
  });

  it('counts 4xx/5xx answers as errors', async () => {
    const url = await serve((n) => (n % 2 ? 503 : 200));
    const summary = await constantRate({ url, rate: 100, seconds: 0.5 });
    expect(summary.errors).toBe(25);
  });

  it('measures from the intended start: a stall shows in the tail, not as a slower load', async () => {
    const url = await serve((n) => {
      if (n === 10) {
        // Block the event loop (the server's and the generator's) for 400 ms.
        const until = performance.now() + 400;
        while (performance.now() < until);
      }
      return 200;
    });
    const summary = await constantRate({ url, rate: 100, seconds: 1 });
    // Requests due during the stall waited for it: up to ~400 ms from their intended start.
    expect(summary.maxMs).toBeGreaterThan(300);
    expect(summary.p90Ms).toBeGreaterThan(50);
    expect(summary.p50Ms).toBeLessThan(300);
  });

  it('refuses a rate or duration that is not positive', async () => {
    await expect(constantRate({ url: 'http://127.0.0.1:1/', rate: 0, seconds: 1 })).rejects.toThrow(
      /positive/,
    );
  });
});
