import type { IncomingHttpHeaders } from 'node:http';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
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
  /** Set when the request is over its limit: a 429 with Retry-After. */
  refusal?: AppError;
}

/**
 * Rate limits per client IP and per signed-in user, counted in Redis so every gateway replica shares
 * them. If Redis is unreachable, each replica falls back to counting in memory (fail open, still
 * bounded). Every answer carries RateLimit-* headers.
 */
export class RateLimits {
  private readonly byIp: RateLimiterRedis;
  private readonly byUser: RateLimiterRedis;

  constructor(
    redis: Redis,
    private readonly perIp: number,
    private readonly perUser: number,
  ) {
    const limiter = (prefix: string, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: prefix,
        points,
        duration: 60,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}:mem`, points, duration: 60 }),
      });
    // Keyed by the policy too: replicas with the same limits share counts; a changed limit starts afresh.
    this.byIp = limiter(`ratelimit:ip:${perIp}`, perIp);
    this.byUser = limiter(`ratelimit:user:${perUser}`, perUser);
  }

  async consume(principal: Principal | undefined, ip: string): Promise<RateDecision> {
    const [limiter, key, limit] = principal
      ? [this.byUser, principal.userId, this.perUser]
      : [this.byIp, ip, this.perIp];
    try {
      return { headers: headersOf(limit, await limiter.consume(key)) };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterS = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      return {
        headers: headersOf(limit, rejection),
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
}

function headersOf(limit: number, state: RateLimiterRes): Record<string, string> {
  return {
    'RateLimit-Limit': String(limit),
    'RateLimit-Remaining': String(Math.max(0, state.remainingPoints)),
    'RateLimit-Reset': String(Math.ceil(state.msBeforeNext / 1000)),
  };
}
