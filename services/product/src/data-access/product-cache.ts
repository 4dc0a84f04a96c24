import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '@stackdrill/kit';

/**
 * Read-through cache for catalogue pages and product details. Listing keys include a catalogue
 * version that every product creation bumps, so new products show up at once and old pages simply
 * expire. A detail is deleted whenever its stock moves. The cache never decides an answer: if Redis
 * is down, reads go to MongoDB.
 */
export class ProductCache {
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
    await this.safely(() => this.redis.del(`catalogue:product:${id}`));
  }

  private async readThrough<T>(key: () => Promise<string>, ttlS: number, load: () => Promise<T>): Promise<T> {
    const cacheKey = await this.safely(key);
    if (cacheKey) {
      const hit = await this.safely(() => this.redis.get(cacheKey));
      if (hit) return JSON.parse(hit) as T;
    }
    const value = await load();
    if (cacheKey && value !== null)
      await this.safely(() => this.redis.set(cacheKey, JSON.stringify(value), 'EX', ttlS));
    return value;
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
