import type { Redis } from 'ioredis';

/**
 * Per-minute counters in Redis for the dashboard's live figures. They are bumped only when the fact
 * was recorded for the first time, so redeliveries do not inflate them; they expire after an hour.
 */
export class LiveCounters {
  constructor(private readonly redis: Redis) {}

  private key(name: string, minute: number) {
    return `live:${name}:${minute}`;
  }

  async bump(name: string, at = Date.now()): Promise<void> {
    const key = this.key(name, Math.floor(at / 60_000));
    await this.redis.multi().incr(key).expire(key, 3600).exec();
  }

  /** The count over the last `minutes` whole minutes, this one included. */
  async lastMinutes(name: string, minutes: number, now = Date.now()): Promise<number> {
    const current = Math.floor(now / 60_000);
    const keys = Array.from({ length: minutes }, (_, i) => this.key(name, current - i));
    const values = await this.redis.mget(keys);
    return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
  }
}
