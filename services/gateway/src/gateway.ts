import { Agent } from 'node:http';
import cors from 'cors';
import { Router, type Request, type Response } from 'express';
import helmet from 'helmet';
import { createProxyMiddleware } from 'http-proxy-middleware';
import {
  AccessTokens,
  API_KEY_HEADER,
  connectRedis,
  createLogger,
  parseHostList,
  Service,
  traceHeaders,
  type ConfigValues,
  type Logger,
} from '@stackdrill/kit';
import type { GATEWAY_CONFIG } from './config.ts';
import { mergedDocs } from './docs.ts';
import { bodyCap, edgeAuth, rateLimits } from './edge.ts';
import { ROUTES, serviceFor, type ServiceName } from './routes.ts';

export type GatewayConfig = ConfigValues<typeof GATEWAY_CONFIG>;

/**
 * The edge of the system: security headers and CORS, a body cap, JWT verification, rate limits,
 * then a keep-alive proxy to the service that owns the path. Request ids are set here and travel on.
 */
export function createGateway(
  config: GatewayConfig,
  logger: Logger = createLogger('gateway', config.logLevel),
): Service {
  const redis = connectRedis(
    { sentinels: parseHostList(config.redisSentinels), masterName: config.redisMasterName },
    logger,
  );
  const tokens = new AccessTokens(config.jwtSecret, config.accessTokenTtlS);
  const upstreams: Record<ServiceName, string> = {
    user: config.userServiceUrl,
    product: config.productServiceUrl,
    order: config.orderServiceUrl,
    notification: config.notificationServiceUrl,
    analytics: config.analyticsServiceUrl,
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });

  const routes = Router();
  routes.use(helmet());
  routes.use(
    cors({
      origin: config.corsOrigins.split(',').map((o) => o.trim()),
      exposedHeaders: [
        'x-request-id',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
        'Retry-After',
      ],
      maxAge: 600,
    }),
  );
  routes.get('/api/docs', async (_req, res) => {
    res.json(await mergedDocs(upstreams));
  });
  routes.use(
    '/api',
    bodyCap(config.bodyLimitBytes),
    edgeAuth(tokens),
    rateLimits(redis, config.rateLimitPerIpPerMinute, config.rateLimitPerUserPerMinute),
  );

  for (const service of new Set(ROUTES.map((r) => r.service))) {
    routes.use(
      createProxyMiddleware<Request, Response>({
        target: upstreams[service],
        pathFilter: (path) => serviceFor(path) === service,
        agent,
        xfwd: true,
        proxyTimeout: 15_000,
        on: {
          proxyReq: (proxyReq, _req, res) => {
            res.locals.route = `proxy:${service}`;
            proxyReq.setHeader('x-request-id', String(res.getHeader('x-request-id')));
            proxyReq.setHeader(API_KEY_HEADER, config.internalApiKey);
            // The service continues the gateway's span, not the client's.
            for (const [name, value] of Object.entries(traceHeaders())) proxyReq.setHeader(name, value);
          },
          error: (error, _req, res) => {
            logger.warn({ err: error, service }, 'upstream unavailable');
            if (!('writeHead' in res) || res.headersSent) return;
            res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
            res.end(
              JSON.stringify({
                code: 'SERVICE_UNAVAILABLE',
                message: `the ${service} service is unavailable; retry shortly`,
                requestId: res.getHeader('x-request-id'),
              }),
            );
          },
        },
      }),
    );
  }

  return new Service({
    name: 'gateway',
    logger,
    routes,
    parseJson: false,
    readiness: { redis: () => redis.ping() },
    closers: [
      { name: 'redis', close: () => redis.quit() },
      { name: 'upstream connections', close: async () => agent.destroy() },
    ],
  });
}
