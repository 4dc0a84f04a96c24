import { TOOLS } from '@stackdrill/toolkit';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { buildImages, IMAGES, type ImagesEvent } from './build-images.ts';

/**
 * The offline images on this machine's engine (Podman, set up by the doctor): the Debian base made
 * with debootstrap when missing, the Redis image built on it, and a container of it answering on
 * loopback. The engine keeps what it built, so a second run only checks its layer cache.
 */
describe('pnpm images:build --offline', () => {
  it('when the Redis image is built offline, then a container of it answers PING on a loopback port', async () => {
    const events: ImagesEvent[] = [];
    const built = await buildImages({ offline: true, only: ['redis'], onEvent: (e) => events.push(e) });
    expect(built.map((i) => i.name)).toEqual(['redis']);
    expect(events.some((e) => e.type === 'base')).toBe(true);
    const cli = events.find((e) => e.type === 'engine')!.cli;
    const name = `stackdrill-image-test-${process.pid}`;
    const tag = IMAGES.find((i) => i.name === 'redis')!.tag;
    await TOOLS.run(cli, ['run', '-d', '--rm', '--name', name, '-p', '127.0.0.1::6379', tag], {
      timeoutMs: 60_000,
      what: 'starting a Redis container',
    });
    try {
      const port = (
        await TOOLS.run(cli, ['port', name, '6379'], { timeoutMs: 10_000, what: 'its port' })
      ).stdout
        .trim()
        .split(':')
        .at(-1);
      expect(Number(port)).toBeGreaterThan(0);
      const redis = new Redis({
        host: '127.0.0.1',
        port: Number(port),
        lazyConnect: true,
        retryStrategy: (n) => (n < 20 ? 250 : null),
      });
      try {
        await redis.connect();
        expect(await redis.ping()).toBe('PONG');
        // Non-root, as the image says.
        expect(
          (
            await TOOLS.run(cli, ['exec', name, 'id', '-un'], { timeoutMs: 10_000, what: 'id' })
          ).stdout.trim(),
        ).toBe('redis');
      } finally {
        redis.disconnect();
      }
    } finally {
      await TOOLS.run(cli, ['rm', '-f', name], { timeoutMs: 30_000, what: 'removing the container' }).catch(
        () => {},
      );
    }
  }, 600_000);
});
