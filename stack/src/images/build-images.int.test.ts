import { VERSIONS } from '@stackdrill/facts';
import { TOOLS } from '@stackdrill/toolkit';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildImages, IMAGES, type ImagesEvent } from './build-images.ts';

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
  expect(built.map((i) => i.name)).toEqual(['redis', 'kafka', 'ferretdb', 'toxiproxy']);
  expect(events.some((e) => e.type === 'base')).toBe(true);
  cli = events.find((e) => e.type === 'engine')!.cli;
}, 900_000);

/** A container of `image` with `port` published on a loopback port of its own; removed afterwards. */
async function withContainer<T>(
  image: string,
  port: number,
  use: (hostPort: number, name: string) => Promise<T>,
) {
  const name = `stackdrill-image-test-${process.pid}-${port}`;
  await TOOLS.run(cli, ['run', '-d', '--rm', '--name', name, '-p', `127.0.0.1::${port}`, image], {
    timeoutMs: 60_000,
    what: `starting a container of ${image}`,
  });
  try {
    const published = (
      await TOOLS.run(cli, ['port', name, String(port)], { timeoutMs: 10_000, what: 'its port' })
    ).stdout.trim();
    expect(published).toMatch(/^127\.0\.0\.1:\d+$/); // loopback only
    return await use(Number(published.split(':')[1]), name);
  } finally {
    await TOOLS.run(cli, ['rm', '-f', name], { timeoutMs: 30_000, what: 'removing the container' }).catch(
      () => {},
    );
  }
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

  it("when the Kafka image runs, then it is the broker of the pinned version on Debian's Java", async () => {
    const version = await TOOLS.run(cli, ['run', '--rm', tag('kafka'), 'kafka.Kafka', '--version'], {
      timeoutMs: 60_000,
      what: 'the Kafka image',
    });
    expect(version.stdout).toContain(VERSIONS.kafka);
  });
});
