import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { openProvider, type FaultPoint, type Provider, testInstance } from '@stackdrill/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revertLeftovers } from '../run-fault.ts';
import { chaosCli, whileInPlace } from '../testing/fault-tests.ts';

/**
 * The network faults against the real `test` stack's fault proxy: each seen by a client on the
 * member's proxied address while it holds and gone after the revert (also after a Ctrl-C), and one
 * seen by the app itself, which reaches the data tier through the proxy.
 */
let provider: Provider;
let master: FaultPoint;

beforeAll(async () => {
  provider = await openProvider(testInstance());
  const redis = provider.handle('redis');
  const [m] = await redis.members({ role: 'master' });
  master = redis.faultPoints().find((p) => p.member === m!.name)!;
});

afterAll(async () => {
  await revertLeftovers(provider, { all: true });
  // Every fault here ends with the app's clients recovered (runFault waits for the app). Should a
  // service still not be ready, say so loudly and restart it, so the test files after this one start
  // from a healthy stack: once, in a full run on a loaded machine, the order service's MongoDB
  // client was found with no connection for minutes after these tests (not reproduced since).
  const app = provider.handle('app');
  const ready = async () => (await app.members()).filter((m) => m.role === 'down').map((m) => m.name);
  const deadline = Date.now() + 30_000;
  let stuck = await ready();
  while (stuck.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    stuck = await ready();
  }
  for (const member of stuck) {
    console.warn(`network faults: ${member} did not recover within 30 s after the faults; restarting it`);
    await app.restart(member);
  }
});

/** A Redis client on the master's proxied address, failing fast instead of retrying. */
function viaProxy(): Redis {
  return new Redis({
    host: master.listen.host,
    port: master.listen.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    commandTimeout: 3000,
    enableOfflineQueue: false,
  });
}

const timedPing = async () => {
  const client = viaProxy();
  try {
    await client.connect();
    const t0 = performance.now();
    await client.ping();
    return performance.now() - t0;
  } finally {
    client.disconnect();
  }
};

describe('network faults on a member, through the fault proxy', () => {
  it('when latency is added to the Redis master, then a PING through its proxy takes that long, and not after', async () => {
    const during = await whileInPlace(
      provider,
      { fault: 'latency', target: 'redis:master', durationS: 2, params: { latencyMs: 300 } },
      timedPing,
    );
    expect(during).toBeGreaterThanOrEqual(300);
    expect(await timedPing()).toBeLessThan(200);
  });

  it('when the bandwidth is limited, then a 100 KB value takes about a second to come back, and not after', async () => {
    const writer = viaProxy();
    await writer.connect();
    await writer.set('chaos:bandwidth', 'x'.repeat(100_000));
    writer.disconnect();
    const timedGet = async () => {
      const client = viaProxy();
      try {
        await client.connect();
        const t0 = performance.now();
        await client.get('chaos:bandwidth');
        return performance.now() - t0;
      } finally {
        client.disconnect();
      }
    };
    const during = await whileInPlace(
      provider,
      { fault: 'bandwidth', target: 'redis:master', durationS: 3, params: { rateKBps: 100 } },
      timedGet,
    );
    expect(during).toBeGreaterThanOrEqual(800);
    expect(await timedGet()).toBeLessThan(300);
  });

  it('when the member times out, resets or is cut, then a client through its proxy fails as such, and not after', async () => {
    const outcome = (fault: string, params: Record<string, unknown> = {}) =>
      whileInPlace(provider, { fault, target: 'redis:master', durationS: 2, params }, timedPing);
    const timedOut = await outcome('timeout', { timeoutMs: 500 });
    expect(timedOut).toBeInstanceOf(Error);
    const reset = await outcome('reset');
    expect(reset).toBeInstanceOf(Error);
    expect(String(reset)).toMatch(/ECONNRESET|Connection is closed|closed/i);
    // A cut proxy refuses the connection itself.
    const refused = await whileInPlace(
      provider,
      { fault: 'cut', target: master.member, durationS: 2 },
      () =>
        new Promise<string>((resolve) => {
          const socket = connect(master.listen.port, master.listen.host);
          socket.on('connect', () => {
            socket.destroy();
            resolve('connected');
          });
          socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        }),
    );
    expect(refused).toBe('ECONNREFUSED');
    expect(await timedPing()).toBeLessThan(200);
  });

  it("when MongoDB is partitioned from the app, then the app's own readiness says so, and it is ready again after", async () => {
    const product = provider.endpoints('host').app.services.product!;
    const ready = async () => {
      const response = await fetch(`${product}/ready`, { signal: AbortSignal.timeout(8000) }).catch(
        () => undefined,
      );
      return response
        ? { status: response.status, body: await response.text() }
        : { status: 0, body: 'no answer' };
    };
    const [mongo] = await provider.handle('mongo').members({ role: 'primary' });
    const during = await whileInPlace(
      provider,
      { fault: 'partition', target: mongo!.name, durationS: 6 },
      async () => {
        // The service's pool may hold a connection that answered just before: ask until the silence shows.
        const deadline = Date.now() + 5000;
        let last = await ready();
        while (last.status === 200 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 250));
          last = await ready();
        }
        return last;
      },
    );
    expect(during).not.toBeInstanceOf(Error);
    expect((during as { status: number }).status).not.toBe(200);
    const deadline = Date.now() + 30_000;
    let after = await ready();
    while (after.status !== 200 && Date.now() < deadline) after = await ready();
    expect(after.status).toBe(200);
  });

  it('when the chaos command is interrupted with Ctrl-C while a member is cut, then its proxy is enabled again', async () => {
    const cli = chaosCli('cut', '--target', master.member, '--duration', '120s');
    await cli.inPlace();
    const proxies = async () =>
      (await (await fetch(`${provider.faultProxyApi()}/proxies`)).json()) as Record<
        string,
        { enabled: boolean }
      >;
    expect((await proxies())[master.member]?.enabled).toBe(false);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect((await proxies())[master.member]?.enabled).toBe(true);
  });
});
