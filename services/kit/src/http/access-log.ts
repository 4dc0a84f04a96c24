import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger.ts';
import { unansweredStatus } from './unanswered.ts';

/**
 * One access line per request, written when its response is done (or the client went away first,
 * logged as 499, or 408 if the request timed out): id, method, URL, client address, status and time,
 * at error level for 5xx and warn for 4xx. The
 * root logger writes it, with the trace ids its mixin adds: pino-http made two child loggers per
 * request, and with redaction that was a fifth of a cache hit's allocations.
 */
export function accessLog(logger: Logger, skip: (url: string) => boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (skip(req.url)) {
      next();
      return;
    }
    const started = performance.now();
    const url = req.originalUrl;
    // The client address is read now: once the connection is gone there is no socket to read it from.
    const remoteAddress = req.ip;
    res.once('close', () => {
      const answered = res.writableFinished;
      const status = answered ? res.statusCode : unansweredStatus(req);
      const line = {
        req: { id: res.getHeader('x-request-id'), method: req.method, url, remoteAddress },
        res: { statusCode: status },
        responseTime: Math.round(performance.now() - started),
      };
      if (!answered) logger.warn(line, 'request aborted by the client');
      else logger[status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'](line, 'request completed');
    });
    next();
  };
}
