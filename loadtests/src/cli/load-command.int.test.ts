import { readFile } from 'node:fs/promises';
import { openProvider, seedStack } from '@stackdrill/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadSummary } from '../model/summary.ts';
import { load, SLO_FAILED } from './load-command.ts';

// `pnpm load` with the Node engine against the test instance of the stack, healthy and then with
// the order service's payment slowed by its fault switch (1.5 s, above the 1 s objective).
let gateway: string;
let faults: string;
let apiKey: string;

const setPaymentLatency = (latencyMs: number) =>
  fetch(faults, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ payment: { latencyMs } }),
  });

beforeAll(async () => {
  const provider = await openProvider('test');
  const { app } = provider.endpoints();
  gateway = app.gateway;
  faults = `${app.services.order}/internal/faults`;
  apiKey = provider.appSecrets()!.internalApiKey;
  await seedStack(provider); // idempotent: the journeys need a catalogue and the admin
});

afterAll(async () => {
  await setPaymentLatency(0);
});

const written = (output: string[], what: 'summary' | 'report') =>
  output
    .find((l) => l.startsWith(`${what}: `))!
    .slice(`${what}: `.length)
    .trim();

async function lastSummary(output: string[]): Promise<LoadSummary> {
  return JSON.parse(await readFile(written(output, 'summary'), 'utf8')) as LoadSummary;
}

async function run(argv: string[]): Promise<{ code: number; output: string[] }> {
  const output: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => output.push(parts.map(String).join(' '));
  try {
    return { code: await load(argv), output };
  } finally {
    console.log = log;
  }
}

/** `pnpm load smoke` for 12 s against the test stack's gateway, with three load customers. */
const smoke12s = (...extra: string[]) =>
  run(['smoke', '--duration', '12s', '--target', gateway, '--customers', '3', ...extra]);

const statusesOf = (summary: LoadSummary) => {
  const statuses: Record<string, number> = {};
  for (const endpoint of Object.values(summary.endpoints))
    for (const [status, count] of Object.entries(endpoint.statuses ?? {}))
      statuses[status] = (statuses[status] ?? 0) + count;
  return statuses;
};

describe('pnpm load (node engine)', () => {
  it('when the system is healthy, then smoke answers every request and writes the summary and the report', async () => {
    // Seeded: the 24 iterations' journeys are the same every run (6 of them check out), all five seen.
    const { code, output } = await smoke12s('--workers', '2', '--seed', '12');
    const summary = await lastSummary(output);
    // Every request must succeed; whether the latencies meet their objectives depends on this
    // machine's load while the suite runs (the README gives figures of quiet runs), so the test holds
    // the exit code to the verdict instead.
    const errors = Object.values(summary.endpoints).reduce((sum, e) => sum + e.errors, 0);
    expect(errors).toBe(0);
    expect(code).toBe(summary.passed ? 0 : SLO_FAILED);
    expect(summary.timeline!.length).toBeGreaterThanOrEqual(12);
    expect(Object.keys(summary.journeys).sort()).toEqual([
      'admin-dashboard',
      'browse',
      'checkout-and-pay',
      'search',
      'sign-in',
    ]);
    // Every checkout places its order (accepted, or refused when sold out: both answers count).
    expect(summary.endpoints['POST /api/orders']?.requests).toBe(6);
    // The target is the test instance: its processes' CPU per journey, read from /proc.
    expect(summary.cpu?.instance).toBe('test');
    expect(summary.cpu?.journeys).toBe(24); // iterations, not their requests
    for (const member of ['gateway', 'order', 'mongo-0', 'kafka-0', 'load generator'])
      expect(summary.cpu?.perJourneyMs[member], member).toBeGreaterThan(0);
    expect(output.join('\n')).toContain('CPU per journey (24 journeys');
    const html = await readFile(written(output, 'report'), 'utf8');
    expect(html).toContain('<title>');
    expect(html.includes('BROKEN')).toBe(!summary.passed);
  });

  it("when average runs against the stack's own gateway, then no request fails: its load is marked, so no 429 from the per-IP limit", async () => {
    // ~30 requests/s of not-signed-in shoppers from this one address, past the 1,200 a minute an
    // address may send (a 5-minute run got ~20 % 429s): the gateway must count the marked load apart.
    const { output } = await run(['average', '--duration', '30s', '--target', gateway]);
    expect(output.some((l) => l.startsWith("load marked (key from the test instance's state)"))).toBe(true);
    const summary = await lastSummary(output);
    const statuses = statusesOf(summary);
    expect(statuses['429'], 'rate-limited').toBeUndefined();
    expect(statuses['404'], 'not found').toBeUndefined();
    expect(Object.values(summary.endpoints).reduce((sum, e) => sum + e.errors, 0)).toBe(0);
    expect(Object.values(statuses).reduce((sum, n) => sum + n, 0)).toBeGreaterThan(500);
  });

  it('when the payment is slowed past its objective, then the run exits 99 and the report names that SLO', async () => {
    expect((await setPaymentLatency(1500)).status).toBe(200);
    // Seeded as the first run (5 of its 6 checkouts reach the payment): unseeded, a 12 s run made no
    // payment now and then (about one checkout in five journeys, each paying after ~5 s of steps and
    // think times), and an endpoint without requests has no verdict, so the run passed.
    const { code, output } = await smoke12s('--workers', '2', '--seed', '12');
    const summary = await lastSummary(output);
    expect(summary.endpoints['POST /api/orders/:id/payment']?.requests).toBeGreaterThan(0);
    expect(code).toBe(SLO_FAILED);
    expect(summary.engine).toBe('node');
    expect(summary.passed).toBe(false);
    const payment = summary.verdicts.find((v) => v.subject === 'endpoint POST /api/orders/:id/payment');
    expect(payment?.passed).toBe(false);
    expect(payment?.broken.join(' ')).toMatch(/^p95 \d+ ms > 1000 ms/);
    expect(summary.endpoints['GET /api/products']!.requests).toBeGreaterThan(0);
    expect(output.some((l) => l.includes('SLO broken') && l.includes('POST /api/orders/:id/payment'))).toBe(
      true,
    );
    const html = await readFile(written(output, 'report'), 'utf8');
    expect(html).toMatch(/BROKEN[\s\S]*p95 \d+ ms &gt; 1000 ms/);
  });

  it('when the profile is unknown or the target does not answer, then it says so before any load', async () => {
    await expect(run(['nope'])).rejects.toThrow(/unknown profile "nope"; one of smoke, average/);
    await expect(run(['smoke', '--target', 'http://127.0.0.1:9'])).rejects.toThrow(
      /does not answer like the shop/,
    );
    await expect(run(['smoke', '--duration', '5 minutes'])).rejects.toThrow(/not a duration/);
  });
});
