import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as hdr from 'hdr-histogram-js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Journey } from '../model/journeys.ts';
import type { Profile } from '../model/profiles.ts';
import { runProfile, type RunOptions } from './runner.ts';

let server: Server | undefined;
afterEach(() => server?.close());

/** A local target whose answers the test decides (n: the request's number). */
async function serve(handler: (path: string, n: number) => Promise<number> | number): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    void Promise.resolve(handler(req.url ?? '/', n++)).then((status) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end('{"items":[{"id":"p1"}]}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// Journeys and profiles of the shop's vocabulary, pointed at the local target.
const ping: Journey = {
  name: 'browse',
  steps: [{ endpoint: 'GET /api/products', method: 'GET', path: () => '/ping', expect: [200] }],
};
const constant = (rate: number, duration: string): Profile => ({
  description: 'test',
  scenario: { executor: 'constant-arrival-rate', rate, duration, preAllocatedVUs: 5, maxVUs: 50 },
  mix: { browse: 1 },
});
const noAccount = { customers: [], admin: { email: '', password: '' } };

/** The ping journey in this thread against the local target, at a constant rate. */
const pingAt = (target: string, rate: number, duration: string, extra: Partial<RunOptions> = {}) =>
  runProfile({
    target,
    profileName: 'test',
    profile: constant(rate, duration),
    journeys: { browse: ping },
    workers: 1,
    ...noAccount,
    ...extra,
  });

describe('the Node engine', () => {
  it('runs rate × duration iterations and tallies every request, second by second', async () => {
    const target = await serve(() => 200);
    const summary = await pingAt(target, 50, '2s');
    const endpoint = summary.endpoints['GET /api/products']!;
    expect(endpoint.requests).toBe(100);
    expect(endpoint.errors).toBe(0);
    expect(endpoint.statuses).toEqual({ '200': 100 });
    expect(hdr.decodeFromCompressedBase64(endpoint.histogram!).totalCount).toBe(100);
    expect(summary.timeline!.reduce((sum, p) => sum + p.arrivals, 0)).toBe(100);
    expect(summary.timeline!.reduce((sum, p) => sum + p.requests, 0)).toBe(100);
    expect(summary.passed).toBe(true);
  });

  it('counts unexpected statuses as errors, by status, and the SLO gate sees them', async () => {
    const target = await serve((_path, n) => (n % 4 === 0 ? 503 : 200));
    const summary = await pingAt(target, 40, '1s');
    expect(summary.endpoints['GET /api/products']!.statuses).toEqual({ '200': 30, '503': 10 });
    expect(summary.passed).toBe(false);
    expect(summary.verdicts.find((v) => !v.passed)?.broken[0]).toMatch(/^errors 25\.00 %/);
  });

  it('measures from when a request was due: a stalled target shows in the percentiles', async () => {
    const target = await serve(async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      return 200;
    });
    const summary = await pingAt(target, 20, '1s');
    expect(summary.endpoints['GET /api/products']!.p50Ms).toBeGreaterThanOrEqual(195);
  });

  it('an abort (Ctrl-C) stops the load within a second and still hands back what ran', async () => {
    const target = await serve(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      return 200;
    });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 1000);
    const started = performance.now();
    const summary = await pingAt(target, 20, '30s', { signal: abort.signal });
    expect(performance.now() - started).toBeLessThan(2500);
    expect(summary.interrupted).toBe(true);
    // About 20 arrivals in the first second, all cut off by the stop: started, but no request of
    // theirs counts against the target (it did not fail; we hung up).
    expect(summary.timeline!.reduce((sum, p) => sum + p.arrivals, 0)).toBeGreaterThanOrEqual(15);
    expect(summary.endpoints['GET /api/products']?.requests ?? 0).toBe(0);
  });

  it('the closed model: each VU runs its iterations back to back, as many as the target allows in time', async () => {
    let concurrent = 0;
    let most = 0;
    const target = await serve(async () => {
      most = Math.max(most, ++concurrent);
      await new Promise((resolve) => setTimeout(resolve, 100));
      concurrent--;
      return 200;
    });
    const summary = await pingAt(target, 0, '1s', {
      profile: {
        description: 'test',
        scenario: { executor: 'constant-vus', vus: 3, duration: '2s' },
        mix: { browse: 1 },
      },
    });
    // 3 VUs × 2 s ÷ 100 ms per answer: about 60 requests, never more than 3 at once.
    expect(most).toBe(3);
    expect(summary.endpoints['GET /api/products']!.requests).toBeGreaterThanOrEqual(45);
    expect(summary.endpoints['GET /api/products']!.requests).toBeLessThanOrEqual(63);
    expect(summary.droppedIterations).toBe(0);
  });

  it('split over two worker threads, the shares add up to the whole schedule', async () => {
    const paths: string[] = [];
    const target = await serve((path) => (paths.push(path), 200));
    const summary = await runProfile({
      target,
      profileName: 'test',
      profile: {
        ...constant(30, '2s'),
        mix: { search: 1 }, // the shop's search journey: list products, then view one
      },
      thinkScale: 0,
      workers: 2,
      ...noAccount,
    });
    expect(summary.journeys.search!.requests).toBe(120);
    expect(summary.endpoints['GET /api/products']!.requests).toBe(60);
    expect(summary.endpoints['GET /api/products/:id']!.requests).toBe(60);
    expect(paths.filter((p) => p === '/api/products/p1')).toHaveLength(60);
    expect(summary.timeline!.reduce((sum, p) => sum + p.arrivals, 0)).toBe(60);
  });

  it('the breakpoint stops at the first window that breaks an SLO and reports the last rate that held', async () => {
    // Healthy until 20 requests/s, then every answer is an error.
    let started = 0;
    const target = await serve(() => {
      started ||= Date.now();
      return Date.now() - started < 2000 ? 200 : 500;
    });
    const summary = await runProfile({
      target,
      profileName: 'breakpoint',
      profile: {
        description: 'test',
        scenario: {
          executor: 'ramping-arrival-rate',
          startRate: 10,
          stages: [{ target: 40, duration: '6s' }],
          preAllocatedVUs: 5,
          maxVUs: 50,
        },
        mix: { browse: 1 },
        abortOnFail: true,
      },
      journeys: { browse: ping },
      workers: 1,
      windowS: 1,
      windowMinRequests: 5,
      ...noAccount,
    });
    expect(summary.capacity?.brokenAt?.broken[0]).toMatch(/^endpoint GET \/api\/products: errors/);
    expect(summary.capacity!.iterationsPerS).toBeGreaterThanOrEqual(10);
    expect(summary.capacity!.iterationsPerS).toBeLessThan(summary.capacity!.brokenAt!.iterationsPerS);
    // Stopped at the break, well before the ramp's 6 s.
    expect(summary.durationS).toBeLessThan(5.5);
  });
});
