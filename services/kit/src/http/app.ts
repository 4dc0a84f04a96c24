import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { AppError } from '../errors.ts';
import { accessLog } from './access-log.ts';
import type { Logger } from '../logger.ts';
import type { ServiceMetrics } from '../metrics.ts';
import { errorHandler } from './error-handler.ts';
import { health, ready, type ReadinessCheck } from './health.ts';
import { traceRequests } from '../tracing.ts';

export interface HttpAppOptions {
  /** The service's name, for its spans. */
  name: string;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The service's routes, mounted at the root. */
  routes: Router;
  readiness: Record<string, ReadinessCheck>;
  /** Largest accepted JSON body, e.g. `100kb`. */
  bodyLimit?: string;
}

/**
 * An Express app with the same edges in every service: request id, structured access log, RED
 * metrics, strict JSON bodies with a size cap, `/health`, `/ready`, `/metrics`, JSON 404s and the
 * central error handler. Middleware is kept to these few: Express itself is the hot path's cost.
 */
export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Services are reached through the gateway (on loopback here), which sends the client's address as
  // it determined it as the only X-Forwarded-For entry: req.ip, in the access log, is that address.
  app.set('trust proxy', 'loopback');

  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', id);
    next();
  });
  app.use(traceRequests(options.name));
  app.use(accessLog(options.logger, (url) => url === '/health' || url === '/metrics'));
  app.use(options.metrics.middleware());
  app.use(express.json({ limit: options.bodyLimit ?? '100kb', strict: true }));

  app.get('/health', health);
  app.get('/ready', ready(options.readiness));
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', options.metrics.registry.contentType);
    res.end(await options.metrics.registry.metrics());
  });
  app.use(options.routes);

  app.use((req, _res, next) =>
    next(new AppError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`)),
  );
  app.use(errorHandler(options.logger));
  return app;
}
