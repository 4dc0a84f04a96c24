import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError, type AccessTokens, type Principal } from '@stackdrill/kit';

/**
 * Verifies a bearer token at the edge: a forged or expired one is refused here, before any service
 * spends work on it (services verify again and enforce roles). No token passes: public routes exist.
 */
export function edgeAuth(tokens: AccessTokens) {
  return async (req: Request, res: Response, next: NextFunction) => {
    if (!req.get('authorization')) return next();
    try {
      res.locals.principal = await tokens.fromHeader(req.get('authorization'));
      next();
    } catch (error) {
      next(error);
    }
  };
}

/**
 * Rate limits per client IP and per signed-in user, counted in Redis so every gateway replica shares
 * them. If Redis is unreachable, each replica falls back to counting in memory (fail open, still
 * bounded). Answers carry RateLimit-* headers; a refusal is 429 with Retry-After.
 */
export function rateLimits(redis: Redis, perIp: number, perUser: number) {
  const limiter = (prefix: string, points: number) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: prefix,
      points,
      duration: 60,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}:mem`, points, duration: 60 }),
    });
  // Keyed by the policy too: replicas with the same limits share counts; a changed limit starts afresh.
  const byIp = limiter(`ratelimit:ip:${perIp}`, perIp);
  const byUser = limiter(`ratelimit:user:${perUser}`, perUser);

  return async (req: Request, res: Response, next: NextFunction) => {
    const principal = res.locals.principal as Principal | undefined;
    const [limiter, key, limit] = principal
      ? [byUser, principal.userId, perUser]
      : [byIp, req.ip ?? 'unknown', perIp];
    try {
      const result = await limiter.consume(key);
      setHeaders(res, limit, result);
      next();
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return next(rejection);
      setHeaders(res, limit, rejection);
      const retryAfterS = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      next(
        new AppError(
          429,
          'RATE_LIMITED',
          `too many requests; retry in ${retryAfterS} s`,
          undefined,
          retryAfterS,
        ),
      );
    }
  };
}

function setHeaders(res: Response, limit: number, state: RateLimiterRes): void {
  res.setHeader('RateLimit-Limit', String(limit));
  res.setHeader('RateLimit-Remaining', String(Math.max(0, state.remainingPoints)));
  res.setHeader('RateLimit-Reset', String(Math.ceil(state.msBeforeNext / 1000)));
}

/**
 * Caps request bodies without buffering them: the declared length must fit, and a body of unknown
 * length (chunked) is refused, since it could not be capped before it is forwarded.
 */
export function bodyCap(limitBytes: number) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const length = req.get('content-length');
    if (length !== undefined && Number(length) > limitBytes) {
      return next(
        new AppError(
          413,
          'PAYLOAD_TOO_LARGE',
          `the request body is larger than the limit of ${limitBytes} bytes`,
        ),
      );
    }
    if (length === undefined && req.get('transfer-encoding')) {
      return next(new AppError(411, 'LENGTH_REQUIRED', 'send the body with a Content-Length header'));
    }
    next();
  };
}
