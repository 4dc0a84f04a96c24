import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { dependencyError } from '../clients/dependency-errors.ts';
import { AppError, type ErrorBody } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** Errors body-parser raises, by its `type` field. */
const BODY_ERRORS: Record<string, (e: { limit?: number }) => AppError> = {
  'entity.parse.failed': () => new AppError(400, 'MALFORMED_JSON', 'the request body is not valid JSON'),
  'entity.too.large': (e) =>
    new AppError(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than the limit of ${e.limit} bytes`),
  'encoding.unsupported': () =>
    new AppError(415, 'UNSUPPORTED_ENCODING', 'the request body encoding is not supported'),
  'charset.unsupported': () =>
    new AppError(415, 'UNSUPPORTED_CHARSET', 'the request body charset is not supported'),
};

/** Turns any thrown value into an AppError; unknown errors become a 500 that reveals nothing. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) {
    return new AppError(
      400,
      'VALIDATION_FAILED',
      'the request does not match the expected shape',
      error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const type = (error as { type?: string } | null)?.type;
  if (type && BODY_ERRORS[type]) return BODY_ERRORS[type](error as { limit?: number });
  const down = dependencyError(error);
  if (down) return down;
  return new AppError(
    500,
    'INTERNAL',
    'something went wrong on our side; the request id identifies it in the logs',
  );
}

/** The JSON every error answer carries: `{ code, message, details?, requestId? }`. */
export function errorBody(appError: AppError, requestId?: string): ErrorBody {
  const body: ErrorBody = { code: appError.code, message: appError.message };
  if (appError.details !== undefined) body.details = appError.details;
  if (requestId) body.requestId = requestId;
  return body;
}

/**
 * The one place errors become responses: `{ code, message, details, requestId }`, Retry-After on
 * 429/503, and a log line (with the stack for 5xx, which the client never sees).
 */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const appError = toAppError(error);
    const requestId = res.getHeader('x-request-id') as string | undefined;
    if (appError.status >= 500) logger.error({ err: error, requestId, path: req.path }, 'request failed');
    else logger.debug({ code: appError.code, requestId, path: req.path }, appError.message);
    if (appError.retryAfterS !== undefined) res.setHeader('Retry-After', String(appError.retryAfterS));
    res.status(appError.status).json(errorBody(appError, requestId));
  };
}
