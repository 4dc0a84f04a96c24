import type { IncomingHttpHeaders } from 'node:http';
import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { AppError, type AccessTokens, type Principal } from '@stackdrill/kit';

/**
 * Caps request bodies without buffering them: the declared length must fit, and a body of unknown
 * length (chunked) is refused, since it could not be capped before it is forwarded.
 */
export function bodyCapError(headers: IncomingHttpHeaders, limitBytes: number): AppError | undefined {
  const length = headers['content-length'];
  if (length !== undefined && Number(length) > limitBytes) {
    return new AppError(
      413,
      'PAYLOAD_TOO_LARGE',
      `the request body is larger than the limit of ${limitBytes} bytes`,
    );
  }
  if (length === undefined && headers['transfer-encoding']) {
    return new AppError(411, 'LENGTH_REQUIRED', 'send the body with a Content-Length header');
  }
  return undefined;
}

/**
 * Verifies a bearer token at the edge: a forged or expired one is refused here (AppError 401), before
 * any service spends work on it (services verify again and enforce roles). No token passes: public
 * routes exist.
 */
export async function edgePrincipal(
  tokens: AccessTokens,
  authorization: string | undefined,
): Promise<Principal | undefined> {
  return authorization ? tokens.fromHeader(authorization) : undefined;
}

export interface RateDecision {
  headers: Record<string, string>;
  /** Points left in the window (what RateLimit-Remaining says). */
  remaining: number;
  /** Set when the request is over its limit: a 429 with Retry-After. */
  refusal?: AppError;
}

/** Points a gateway takes from Redis at once while a client is far from its limit. */
export const RATE_BLOCK = 10;

/** Points this replica took from Redis and has not spent yet, for one client, in one window. */
interface Held {
  tokens: number;
  /** What Redis said was left after the last take. */
  remaining: number;
  resetAt: number;
}

/**
 * Rate limits per client IP and per signed-in user, counted in Redis so every gateway replica shares
 * them. Every request counts against its IP (one whose token is refused too, so guessing tokens is
 * throttled), a signed-in one against its user as well. If Redis is unreachable, each replica falls back to counting in memory (fail open, still
 * bounded). Every answer carries RateLimit-* headers.
 *
 * A Redis round trip per request is a large share of the gateway's CPU, so while a client has at
 * least 2 × RATE_BLOCK points left, a replica takes RATE_BLOCK at once and spends them locally;
 * nearer the limit it takes one at a time, so the request that goes over is refused exactly. Points
 * a replica holds count as used for the others: a client is refused at most (RATE_BLOCK − 1) ×
 * replicas requests early, never late.
 */
export class RateLimits {
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly byIp: RateLimiterAbstract,
    private readonly byUser: RateLimiterAbstract,
    private readonly perIp: number,
    private readonly perUser: number,
  ) {}

  static inRedis(redis: Redis, perIp: number, perUser: number): RateLimits {
    const limiter = (prefix: string, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: prefix,
        points,
        duration: 60,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}:mem`, points, duration: 60 }),
      });
    // Keyed by the policy too: replicas with the same limits share counts; a changed limit starts afresh.
    return new RateLimits(
      limiter(`ratelimit:ip:${perIp}`, perIp),
      limiter(`ratelimit:user:${perUser}`, perUser),
      perIp,
      perUser,
    );
  }

  /** Counts a request against its client IP: every request, before its token is even looked at. */
  consumeIp(ip: string): Promise<RateDecision> {
    return this.consume(this.byIp, `ip:${ip}`, ip, this.perIp);
  }

  /** Counts a signed-in user's request against that user. */
  consumeUser(principal: Principal): Promise<RateDecision> {
    return this.consume(this.byUser, `user:${principal.userId}`, principal.userId, this.perUser);
  }

  private async consume(
    limiter: RateLimiterAbstract,
    key: string,
    id: string,
    limit: number,
  ): Promise<RateDecision> {
    const now = Date.now();
    let held = this.held.get(key);
    if (held && held.resetAt <= now) held = undefined;
    if (held && held.tokens > 0) {
      held.tokens--;
      return decision(limit, held.remaining + held.tokens, held.resetAt - now);
    }
    const points = held && held.remaining >= 2 * RATE_BLOCK ? RATE_BLOCK : 1;
    try {
      const taken = await limiter.consume(id, points);
      held = this.hold(key, points - 1, taken, now);
      return decision(limit, held.remaining + held.tokens, taken.msBeforeNext);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterS = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      return {
        ...decision(limit, rejection.remainingPoints, rejection.msBeforeNext),
        refusal: new AppError(
          429,
          'RATE_LIMITED',
          `too many requests; retry in ${retryAfterS} s`,
          undefined,
          retryAfterS,
        ),
      };
    }
  }

  /** Adds what was taken to what this replica holds (concurrent takes add up, none is lost). */
  private hold(key: string, tokens: number, taken: RateLimiterRes, now: number): Held {
    const resetAt = now + taken.msBeforeNext;
    const held = this.held.get(key);
    if (held && held.resetAt > now) {
      held.tokens += tokens;
      held.remaining = Math.min(held.remaining, taken.remainingPoints);
      return held;
    }
    if (this.held.size >= 10_000) for (const [k, h] of this.held) if (h.resetAt <= now) this.held.delete(k);
    const fresh = { tokens, remaining: taken.remainingPoints, resetAt };
    this.held.set(key, fresh);
    return fresh;
  }
}

function decision(limit: number, remaining: number, msBeforeNext: number): RateDecision {
  return {
    remaining: Math.max(0, remaining),
    headers: {
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': String(Math.max(0, remaining)),
      'RateLimit-Reset': String(Math.ceil(msBeforeNext / 1000)),
    },
  };
}
