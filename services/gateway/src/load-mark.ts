import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RateLimits } from './edge.ts';

/**
 * The header that marks a request as the stack's own synthetic load: `<unix-seconds>.<hex
 * HMAC-SHA256(load key, unix-seconds)>`. The load engines sign it (loadtests/src/model/load-mark.ts);
 * a unit test holds the two to one format.
 */
export const LOAD_MARK_HEADER = 'x-stackdrill-load';

/** How far a mark's time may be from the gateway's clock: bounds how long a captured mark replays. */
export const LOAD_MARK_WINDOW_S = 30;

/** The rate-limit client all marked traffic counts as, together: no IP address is spelled so. */
export const LOAD_CLIENT = 'load-marked';

const MARK = /^(\d{1,12})\.([0-9a-f]{64})$/;

/**
 * Tells the stack's own load from everyone else's traffic, so the gateway can count it apart from
 * the per-IP limit. An empty key verifies nothing (marking disabled). The MAC is compared in constant
 * time, so a forger learns nothing from how fast a wrong one is refused.
 */
export class LoadMarks {
  private readonly key: Buffer;

  constructor(
    key: string,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.key = Buffer.from(key);
  }

  /** True when the header carries a mark signed with this key, made within the window. */
  verify(header: string | string[] | undefined): boolean {
    if (this.key.length === 0 || typeof header !== 'string') return false;
    const match = MARK.exec(header);
    if (!match) return false;
    const seconds = Number(match[1]);
    if (Math.abs(this.nowMs() / 1000 - seconds) > LOAD_MARK_WINDOW_S) return false;
    const expected = createHmac('sha256', this.key).update(match[1]!).digest();
    return timingSafeEqual(Buffer.from(match[2]!, 'hex'), expected);
  }
}

/**
 * What the gateway needs to treat the stack's own load: its marks, and the limits it counts against
 * instead of the per-IP one (all marked traffic together, under RATE_LIMIT_LOAD_PER_MIN; per-user
 * limits as for anyone).
 */
export interface MarkedLoad {
  marks: LoadMarks;
  limits: RateLimits;
}

export function markedLoad(
  config: { loadKey: string; rateLimitLoadPerMinute: number },
  limitsOf: (perMinute: number) => RateLimits,
): MarkedLoad {
  return { marks: new LoadMarks(config.loadKey), limits: limitsOf(config.rateLimitLoadPerMinute) };
}
