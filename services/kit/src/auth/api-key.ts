import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { INTERNAL_API_KEY_HEADER } from '@stackdrill/facts';
import { AppError } from '../errors.ts';

export const API_KEY_HEADER = INTERNAL_API_KEY_HEADER;

/**
 * Guards service-to-service routes (`/internal/…`): the caller must present the shared API key.
 * Compared in constant time.
 */
export function requireApiKey(key: string) {
  const expected = Buffer.from(key);
  return (req: Request, _res: Response, next: NextFunction) => {
    const given = Buffer.from(req.get(API_KEY_HEADER) ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return next(new AppError(401, 'INVALID_API_KEY', 'internal routes need the service API key'));
    }
    next();
  };
}
