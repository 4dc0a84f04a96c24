import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logger.ts';

/**
 * One access line per request, written when its response is done (or the client went away first):
 * id, method, URL, client address, status and time, at error level for 5xx and warn for 4xx. The
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
    res.once('close', () => {
      const line = {
        req: { id: res.getHeader('x-request-id'), method: req.method, url, remoteAddress: req.ip },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - started),
      };
      if (!res.writableFinished) {
        logger.warn(line, 'request aborted by the client');
        return;
      }
      const status = res.statusCode;
      logger[status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'](line, 'request completed');
    });
    next();
  };
}
