import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VERSIONS } from '@stackdrill/facts';
import { StackError, TOOLS, waitFor } from '@stackdrill/toolkit';
import { UI_DIST } from '@stackdrill/frontend/paths';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_SECURITY_HEADERS } from '../../../services/gateway/src/security-headers.ts';
import { UI_CACHE_CONTROL } from '../../../services/gateway/src/ui-caching.ts';
import { buildImages, IMAGES, KAFKA_CLASSPATH, type ImagesEvent } from './build-images.ts';

/**
 * The offline images on this machine's engine (Podman, set up by the doctor): the Debian base made
 * with debootstrap when missing, each image built on it, and a container of each answering on
 * loopback. The engine keeps what it built, so a later run only checks its layer cache.
 */
let cli: string;
const tag = (name: string) => IMAGES.find((i) => i.name === name)!.tag;

beforeAll(async () => {
  const events: ImagesEvent[] = [];
  const built = await buildImages({ offline: true, onEvent: (e) => events.push(e) });
  expect(built.map((i) => i.name)).toEqual([
    'redis',
    'kafka',
    'ferretdb',
    'toxiproxy',
    'socks-gate',
    'app',
    'ui',
  ]);
  expect(events.some((e) => e.type === 'base')).toBe(true);
  cli = events.find((e) => e.type === 'engine')!.cli;
}, 900_000);

/**
 * A container of `image` with `ports` published on loopback ports of their own (`run` adds
 * options and the command); removed afterwards.
 */
async function withContainer<T>(
  image: string,
  port: number | number[],
  use: (hostPort: number, name: string, hostPorts: number[]) => Promise<T>,
  run: { options?: string[]; command?: string[] } = {},
) {
  const ports = [port].flat();
  const name = `stackdrill-image-test-${process.pid}-${ports[0]}`;
  const publish = ports.flatMap((p) => ['-p', `127.0.0.1::${p}`]);
  await TOOLS.run(
    cli,
    ['run', '-d', '--rm', '--name', name, ...publish, ...(run.options ?? []), image, ...(run.command ?? [])],
    { timeoutMs: 60_000, what: `starting a container of ${image}` },
  );
  try {
    const hostPorts: number[] = [];
    for (const p of ports) {
      const published = (
        await TOOLS.run(cli, ['port', name, String(p)], { timeoutMs: 10_000, what: 'its port' })
      ).stdout.trim();
      expect(published).toMatch(/^127\.0\.0\.1:\d+$/); // loopback only
      hostPorts.push(Number(published.split(':')[1]));
    }
    return await use(hostPorts[0]!, name, hostPorts);
  } finally {
    await TOOLS.run(cli, ['rm', '-f', name], { timeoutMs: 30_000, what: 'removing the container' }).catch(
      () => {},
    );
  }
}

/** The first answer of `url` that is not a connection error (the member is still starting). */
const firstAnswer = (url: string, init: RequestInit = {}) =>
  waitFor(() => fetch(url, { ...init, signal: AbortSignal.timeout(2000) }), {
    component: 'image test',
    what: `answer ${url}`,
    timeoutMs: 30_000,
    intervalMs: 250,
  });

/** What a container that should refuse to start printed (its run failed). */
async function refusal(args: string[]): Promise<string> {
  const name = `stackdrill-image-test-${process.pid}-refused`;
  const error = await TOOLS.run(cli, ['run', '--rm', '--name', name, ...args], {
    timeoutMs: 60_000,
    what: 'a refused run',
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StackError);
  return (error as StackError).logTail ?? '';
}

/** The image's own HEALTHCHECK, run in the container (as the engine would). */
async function healthCheck(name: string, image: string): Promise<void> {
  const test = JSON.parse(
    (
      await TOOLS.run(cli, ['image', 'inspect', '--format', '{{json .Config.Healthcheck.Test}}', image], {
        timeoutMs: 10_000,
        what: 'its health check',
      })
    ).stdout,
  ) as string[];
  expect(test[0]).toBe('CMD');
  await TOOLS.run(cli, ['exec', name, ...test.slice(1)], { timeoutMs: 10_000, what: 'its health check' });
}

const user = async (name: string) =>
  (await TOOLS.run(cli, ['exec', name, 'id', '-un'], { timeoutMs: 10_000, what: 'its user' })).stdout.trim();

describe('pnpm images:build --offline', () => {
  it('when the Redis image runs, then it answers PING on loopback, as a user that is not root', async () => {
    await withContainer(tag('redis'), 6379, async (port, name) => {
      const redis = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        retryStrategy: (n) => (n < 20 ? 250 : null),
      });
      try {
        await redis.connect();
        expect(await redis.ping()).toBe('PONG');
      } finally {
        redis.disconnect();
      }
      expect(await user(name)).toBe('redis');
    });
  });

  it('when the FerretDB image runs, then it answers hello as MongoDB would, as a user that is not root', async () => {
    await withContainer(tag('ferretdb'), 27017, async (port, name) => {
      const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
        serverSelectionTimeoutMS: 10_000,
      });
      try {
        expect((await client.db('admin').command({ hello: 1 })).isWritablePrimary).toBe(true);
      } finally {
        await client.close();
      }
      expect(await user(name)).toBe('ferretdb');
    });
  });

  it('when the Toxiproxy image runs, then its API answers on loopback, as a user that is not root', async () => {
    await withContainer(tag('toxiproxy'), 8474, async (port, name) => {
      let version = '';
      for (let i = 0; i < 40 && !version; i++) {
        version = await fetch(`http://127.0.0.1:${port}/version`)
          .then((r) => r.text())
          .catch(async () => {
            await new Promise((resolve) => setTimeout(resolve, 250));
            return '';
          });
      }
      expect(version).toContain(VERSIONS.toxiproxy.replace(/^v/, ''));
      expect(await user(name)).toBe('toxiproxy');
    });
  });

  it("when the Kafka image runs as the official image is run, then it is the broker of the pinned version on Debian's Java, laid out like the official one", async () => {
    // The command line the provider gives either image: no entry point, `java` on the PATH.
    const version = await TOOLS.run(
      cli,
      [
        'run',
        '--rm',
        '--read-only',
        tag('kafka'),
        'java',
        '-cp',
        KAFKA_CLASSPATH,
        'kafka.Kafka',
        '--version',
      ],
      { timeoutMs: 60_000, what: 'the Kafka image' },
    );
    expect(version.stdout).toContain(VERSIONS.kafka);
    const config = JSON.parse(
      (
        await TOOLS.run(cli, ['image', 'inspect', '--format', '{{json .Config}}', tag('kafka')], {
          timeoutMs: 30_000,
          what: 'the Kafka image',
        })
      ).stdout,
    ) as { User: string; Entrypoint: string[] | null; Volumes: Record<string, object> | null };
    // apache/kafka's: its user, and the anonymous volumes it declares (removed with each container).
    expect(config.User).toBe('appuser');
    expect(config.Entrypoint ?? []).toEqual([]);
    expect(Object.keys(config.Volumes ?? {}).sort()).toEqual([
      '/etc/kafka/secrets',
      '/mnt/shared/config',
      '/var/lib/kafka/data',
    ]);
    const uid = await TOOLS.run(cli, ['run', '--rm', tag('kafka'), 'id', '-u'], {
      timeoutMs: 60_000,
      what: 'the Kafka image',
    });
    expect(uid.stdout.trim()).toBe('1000');
  });

  it('when the app image runs the sinks on a read-only root, then /health answers on loopback, as a user that is not root', async () => {
    // The port as the harness renders it for the sinks (HTTP_PORT), and HOST left to the image's default.
    await withContainer(
      tag('app'),
      18025,
      async (port, name) => {
        const health = await firstAnswer(`http://127.0.0.1:${port}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: 'ok' });
        expect(await user(name)).toBe('app');
        await healthCheck(name, tag('app'));
      },
      { options: ['--read-only', '-e', 'HTTP_PORT=18025', '-e', 'SMTP_PORT=11025'], command: ['sinks'] },
    );
  });

  it('when the app image is asked for a member it does not have, then it says which ones it has', async () => {
    expect(await refusal([tag('app'), 'payments'])).toMatch(
      /no member named "payments"; the members: .*\bgateway\b.*\bsinks\b/,
    );
  });

  it("when the UI image runs in front of a gateway, then it serves the app shell with the gateway's headers and passes the API on", async () => {
    const index = await readFile(join(UI_DIST, 'index.html'), 'utf8');
    // The sinks stand in for the gateway, in the same network namespace (what the API reaches is
    // recognisable: Express's own 404 for a path it does not have).
    await withContainer(
      tag('app'),
      [8025, 8080],
      async (sinksPort, sinks, [, port]) => {
        await firstAnswer(`http://127.0.0.1:${sinksPort}/health`);
        const ui = `${sinks}-ui`;
        await TOOLS.run(
          cli,
          [
            'run',
            '-d',
            '--rm',
            '--name',
            ui,
            '--read-only',
            '--network',
            `container:${sinks}`,
            '-e',
            'GATEWAY_URL=http://127.0.0.1:8025',
            tag('ui'),
          ],
          { timeoutMs: 60_000, what: 'starting a container of the UI image' },
        );
        try {
          const page = { headers: { accept: 'text/html' } };
          for (const path of ['/', '/orders/123']) {
            const response = await firstAnswer(`http://127.0.0.1:${port}${path}`, page);
            expect(response.status, path).toBe(200);
            expect(await response.text(), path).toBe(index);
            for (const [header, value] of Object.entries(GATEWAY_SECURITY_HEADERS))
              expect(response.headers.get(header), `${path}: ${header}`).toBe(value);
            expect(response.headers.get('cache-control')).toBe(UI_CACHE_CONTROL.pages);
          }
          const asset = /src="(\/assets\/[^"]+\.js)"/.exec(index)![1]!;
          const script = await fetch(`http://127.0.0.1:${port}${asset}`);
          expect(script.status).toBe(200);
          expect(script.headers.get('cache-control')).toBe(UI_CACHE_CONTROL.assets);
          // Not a page request, or a missing asset: a 404, as the gateway answers.
          expect((await fetch(`http://127.0.0.1:${port}/orders/123`)).status).toBe(404);
          expect((await fetch(`http://127.0.0.1:${port}/assets/missing.js`, page)).status).toBe(404);
          const api = await fetch(`http://127.0.0.1:${port}/api/products?page=2`);
          expect(api.status).toBe(404);
          expect(await api.text()).toContain('Cannot GET /api/products');
          expect(await user(ui)).toBe('ui');
          await healthCheck(ui, tag('ui'));
        } finally {
          await TOOLS.run(cli, ['rm', '-f', ui], {
            timeoutMs: 30_000,
            what: 'removing the UI container',
          }).catch(() => {});
        }
      },
      { options: ['-e', 'HTTP_PORT=8025'], command: ['sinks'] },
    );
  });

  it('when the UI image has no GATEWAY_URL, then it stops at once and says what to set', async () => {
    expect(await refusal([tag('ui')])).toContain('GATEWAY_URL is not set');
  });
});
