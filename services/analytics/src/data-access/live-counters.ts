import type { Redis } from 'ioredis';

/**
 * Per-minute counters in Redis for the dashboard's live figures. They are bumped only when the fact
 * was recorded for the first time, so redeliveries do not inflate them; they expire after an hour.
 */
export class LiveCounters {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'live',
  ) {}

  private key(name: string, minute: number) {
    return `${this.prefix}:${name}:${minute}`;
  }

  async bump(name: string, at = Date.now()): Promise<void> {
    const key = this.key(name, Math.floor(at / 60_000));
    await this.redis.multi().incr(key).expire(key, 3600).exec();
  }

  /** Counts many occurrences in one round trip: one INCRBY per minute they fall in. */
  async bumpAll(name: string, times: number[]): Promise<void> {
    const perMinute = new Map<number, number>();
    for (const at of times) {
      const minute = Math.floor(at / 60_000);
      perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
    }
    if (perMinute.size === 0) return;
    const multi = this.redis.multi();
    for (const [minute, count] of perMinute) {
      multi.incrby(this.key(name, minute), count).expire(this.key(name, minute), 3600);
    }
    await multi.exec();
  }

  /** The count over the last `minutes` whole minutes, this one included. */
  async lastMinutes(name: string, minutes: number, now = Date.now()): Promise<number> {
    const current = Math.floor(now / 60_000);
    const keys = Array.from({ length: minutes }, (_, i) => this.key(name, current - i));
    const values = await this.redis.mget(keys);
    return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
  }
}
