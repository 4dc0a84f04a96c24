import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '@stackdrill/kit';

/** An entry outlives its freshness by this factor: stale entries are served while one refresh runs. */
const STALE_FOR = 3;

interface Cached<T> {
  value: T;
  /** Epoch ms after which the next read refreshes the entry in the background. */
  staleAt: number;
}

/**
 * Read-through cache for catalogue pages and product details. Listing keys include a catalogue
 * version that every product creation bumps, so new products show up at once and old pages simply
 * expire. A detail is deleted whenever its stock moves, so its TTL only bounds what
 * a missed invalidation can cost. The cache never decides an answer: if Redis
 * is down, reads go to MongoDB.
 */
export class ProductCache {
  private readonly loading = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly listTtlS = 30,
    private readonly detailTtlS = 10,
  ) {}

  private async version(): Promise<string> {
    return (await this.redis.get('catalogue:version')) ?? '0';
  }

  async list<T>(query: object, load: () => Promise<T>): Promise<T> {
    const digest = createHash('sha1').update(JSON.stringify(query)).digest('hex');
    return this.readThrough(
      async () => `catalogue:list:${await this.version()}:${digest}`,
      this.listTtlS,
      load,
    );
  }

  async detail<T>(id: string, load: () => Promise<T>): Promise<T> {
    return this.readThrough(async () => `catalogue:product:${id}`, this.detailTtlS, load);
  }

  async catalogueChanged(): Promise<void> {
    await this.safely(() => this.redis.incr('catalogue:version'));
  }

  async stockChanged(id: string): Promise<void> {
    // A load already running may have read the old stock: later readers must not join it.
    this.loading.delete(`catalogue:product:${id}`);
    await this.safely(() => this.redis.del(`catalogue:product:${id}`));
  }

  /**
   * Serves what is cached even when it is due for a refresh (stale-while-revalidate), so an expiry
   * never makes callers wait; only a true miss waits for the database, and then once per key.
   */
  private async readThrough<T>(key: () => Promise<string>, ttlS: number, load: () => Promise<T>): Promise<T> {
    const cacheKey = await this.safely(key);
    if (!cacheKey) return load();
    const hit = await this.safely(() => this.redis.get(cacheKey));
    if (hit) {
      const cached = JSON.parse(hit) as Cached<T>;
      if (Date.now() >= cached.staleAt) {
        this.refresh(cacheKey, ttlS, load).catch((error: unknown) =>
          this.logger.warn({ err: error, cacheKey }, 'cache refresh failed; serving the stale entry'),
        );
      }
      return cached.value;
    }
    return this.refresh(cacheKey, ttlS, load);
  }

  /** One load per key at a time in this process: concurrent misses share it instead of stampeding MongoDB. */
  private refresh<T>(cacheKey: string, ttlS: number, load: () => Promise<T>): Promise<T> {
    const running = this.loading.get(cacheKey);
    if (running) return running as Promise<T>;
    const loading = (async () => {
      const value = await load();
      if (value !== null) {
        const entry: Cached<T> = { value, staleAt: Date.now() + ttlS * 1000 };
        await this.safely(() => this.redis.set(cacheKey, JSON.stringify(entry), 'EX', ttlS * STALE_FOR));
      }
      return value;
    })().finally(() => this.loading.delete(cacheKey));
    this.loading.set(cacheKey, loading);
    return loading;
  }

  private async safely<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.logger.warn({ err: error }, 'product cache unavailable; reading from the database');
      return undefined;
    }
  }
}
