import type { Redis } from 'ioredis';
import { createLogger } from '@stackdrill/kit';
import { describe, expect, it, vi } from 'vitest';
import { ProductCache } from './product-cache.ts';

/** Just the four Redis calls the cache makes, over a Map (the real Redis is in the integration tests). */
function fakeRedis(options: { down?: boolean } = {}) {
  const store = new Map<string, string>();
  const fail = () => Promise.reject(new Error('connect ECONNREFUSED'));
  const redis = {
    get: (key: string) => (options.down ? fail() : Promise.resolve(store.get(key) ?? null)),
    set: (key: string, value: string) =>
      options.down ? fail() : (store.set(key, value), Promise.resolve('OK')),
    del: (key: string) => (options.down ? fail() : Promise.resolve(Number(store.delete(key)))),
    incr: (key: string) => Promise.resolve(Number(store.get(key) ?? 0) + 1),
  };
  return { redis: redis as unknown as Redis, store };
}

const logger = createLogger('product-cache-test', 'silent');
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('ProductCache', () => {
  it('when many readers miss at once, then the database is read once and all get its answer', async () => {
    const { redis } = fakeRedis();
    const cache = new ProductCache(redis, logger, 30, 10);
    let release!: (v: { stock: number }) => void;
    const load = vi.fn(() => new Promise<{ stock: number }>((resolve) => (release = resolve)));
    const readers = Array.from({ length: 20 }, () => cache.detail('p1', load));
    await tick();
    release({ stock: 5 });
    expect(await Promise.all(readers)).toEqual(Array(20).fill({ stock: 5 }));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('when an entry is due for a refresh, then readers get it at once and one refresh runs behind them', async () => {
    const { redis, store } = fakeRedis();
    const cache = new ProductCache(redis, logger, 30, 10);
    store.set('catalogue:product:p1', JSON.stringify({ value: { stock: 1 }, staleAt: Date.now() - 1 }));
    const load = vi.fn(async () => {
      await tick();
      return { stock: 2 };
    });
    expect(await cache.detail('p1', load)).toEqual({ stock: 1 });
    expect(await cache.detail('p1', load)).toEqual({ stock: 1 });
    await tick();
    await tick();
    expect(load).toHaveBeenCalledTimes(1);
    expect(await cache.detail('p1', load)).toEqual({ stock: 2 });
  });

  it('when the stock changes during a load, then later readers do not join the old load', async () => {
    const { redis } = fakeRedis();
    const cache = new ProductCache(redis, logger, 30, 10);
    let stock = 1;
    const load = vi.fn(async () => {
      const seen = stock;
      await tick();
      return { stock: seen };
    });
    const first = cache.detail('p1', load);
    await new Promise((resolve) => setTimeout(resolve, 1)); // the first load has read the stock
    stock = 0;
    await cache.stockChanged('p1');
    expect(await cache.detail('p1', load)).toEqual({ stock: 0 });
    expect(await first).toEqual({ stock: 1 });
  });

  it('when Redis is down, then every read goes to the database', async () => {
    const { redis } = fakeRedis({ down: true });
    const cache = new ProductCache(redis, logger, 30, 10);
    const load = vi.fn(async () => ({ stock: 3 }));
    expect(await cache.detail('p1', load)).toEqual({ stock: 3 });
    expect(await cache.detail('p1', load)).toEqual({ stock: 3 });
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('when nothing is found, then nothing is cached', async () => {
    const { redis, store } = fakeRedis();
    const cache = new ProductCache(redis, logger, 30, 10);
    expect(await cache.detail('missing', async () => null)).toBeNull();
    expect(store.size).toBe(0);
  });
});
