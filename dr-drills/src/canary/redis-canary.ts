import type { Endpoints } from '@stackdrill/stack';
import { Redis } from 'ioredis';
import type { CanaryStore } from './canary.ts';

/**
 * Canary records in Redis, through Sentinel as the services reach it: one hash per run, a field per
 * sequence number. Commands fail fast during a failover (no offline queue, short timeouts), so the
 * log shows the outage rather than a queue that hides it.
 */
export class RedisCanary implements CanaryStore {
  readonly datastore = 'redis';
  readonly where: string;
  private redis: Redis | undefined;

  constructor(
    private readonly endpoints: Endpoints['redis'],
    run: string,
  ) {
    this.where = `stackdrill:drill-canary:${run}`;
  }

  async open(): Promise<void> {
    this.redis = new Redis({
      sentinels: this.endpoints.sentinels,
      name: this.endpoints.masterName,
      ...(this.endpoints.natMap ? { natMap: this.endpoints.natMap } : {}),
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      commandTimeout: 1000,
      connectTimeout: 1000,
      retryStrategy: () => 100,
      sentinelRetryStrategy: () => 100,
      lazyConnect: true,
    });
    this.redis.on('error', () => {}); // every reconnect is an error event; the writes report failures
    await this.redis.connect();
  }

  async write(seq: number): Promise<void> {
    await this.redis!.hset(this.where, String(seq), Date.now());
  }

  async stored(): Promise<number[]> {
    return (await this.redis!.hkeys(this.where)).map(Number);
  }

  async close(): Promise<void> {
    if (!this.redis) return;
    await this.redis.del(this.where).catch(() => {});
    this.redis.disconnect();
  }
}
