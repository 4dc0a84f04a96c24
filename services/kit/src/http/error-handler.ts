import type { NextFunction, Request, Response } from 'express';
import { ZodError } from 'zod';
import { dependencyError } from '../clients/dependency-errors.ts';
import { AppError, type ErrorBody } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** What body-parser (http-errors) attaches: the 4xx status it chose, and what failed. */
interface ClientError {
  status: number;
  expose: boolean;
  type?: string;
  limit?: number;
  message: string;
}

const isClientError = (error: unknown): error is ClientError => {
  const { status, expose } = (error ?? {}) as Partial<ClientError>;
  return expose === true && typeof status === 'number' && status >= 400 && status < 500;
};

/** Codes and words for the body errors a client meets most; the status is always the parser's own. */
const BODY_ERRORS: Record<string, { code: string; message: (e: ClientError) => string }> = {
  'entity.parse.failed': { code: 'MALFORMED_JSON', message: () => 'the request body is not valid JSON' },
  'entity.too.large': {
    code: 'PAYLOAD_TOO_LARGE',
    message: (e) => `the request body is larger than the limit of ${e.limit} bytes`,
  },
  'encoding.unsupported': {
    code: 'UNSUPPORTED_ENCODING',
    message: (e) => `${e.message}: send it as identity, gzip, deflate or br`,
  },
  'charset.unsupported': { code: 'UNSUPPORTED_CHARSET', message: (e) => `${e.message}: send it as utf-8` },
};

/**
 * A client error a parser raised (a body that does not decompress, a stream cut short, ...), with
 * its status: a 4xx the parser chose is never turned into a 500.
 */
function clientError(error: ClientError): AppError {
  const known = error.type ? BODY_ERRORS[error.type] : undefined;
  if (known) return new AppError(error.status, known.code, known.message(error));
  return new AppError(
    error.status,
    error.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST',
    `the request body could not be read (${error.message}); check that it matches its Content-Type and Content-Encoding`,
  );
}

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
  if (isClientError(error)) return clientError(error);
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
    // The caller hung up (a body cut short, say): no one to answer; the access log says 499.
    if (!req.socket || req.socket.destroyed) return;
    const appError = toAppError(error);
    const requestId = res.getHeader('x-request-id') as string | undefined;
    if (appError.status >= 500) logger.error({ err: error, requestId, path: req.path }, 'request failed');
    else logger.debug({ code: appError.code, requestId, path: req.path }, appError.message);
    if (appError.retryAfterS !== undefined) res.setHeader('Retry-After', String(appError.retryAfterS));
    res.status(appError.status).json(errorBody(appError, requestId));
  };
}
