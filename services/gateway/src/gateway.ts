import { randomUUID } from 'node:crypto';
import { createServer, METHODS, type IncomingMessage, type RequestListener } from 'node:http';
import fastifyCors from '@fastify/cors';
import type { Readable } from 'node:stream';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import {
  AccessTokens,
  API_KEY_HEADER,
  AppError,
  connectRedis,
  createLogger,
  errorBody,
  parseHostList,
  readinessReport,
  Service,
  startServerSpan,
  toAppError,
  type ConfigValues,
  type Logger,
  type Principal,
  type ServerSpan,
  type ServiceMetrics,
} from '@stackdrill/kit';
import type { GATEWAY_CONFIG } from './config.ts';
import { mergedDocs } from './docs.ts';
import { bodyCapError, edgePrincipal, RateLimits } from './edge.ts';
import { ROUTES, serviceFor, type ServiceName } from './routes.ts';
import { GATEWAY_SECURITY_HEADERS } from './security-headers.ts';
import { serveUi, wantsAppShell } from './ui.ts';
import { endToEnd, Upstream } from './upstream.ts';

export type GatewayConfig = ConfigValues<typeof GATEWAY_CONFIG>;

declare module 'fastify' {
  interface FastifyRequest {
    span: ServerSpan;
    principal: Principal | undefined;
    /** The route label for metrics and spans: `proxy:<service>` or the route's pattern. */
    routeLabel: string;
  }
}

const REQUEST_ID = /^[\w.-]{1,128}$/;

/**
 * The edge of the system, on Fastify with undici pools to the services (a Node hop costs CPU on
 * every request, so the gateway uses a proxy-grade stack; the services stay on Express): security
 * headers and CORS, a body cap, JWT verification, rate limits in Redis, then a keep-alive proxy to
 * the service that owns the path; and, when UI_DIR is set, the built web UI at `/`. Request ids and
 * trace context are set here and travel on. Start, drain and close are the kit's Service, like
 * every service.
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
  const limits = RateLimits.inRedis(redis, config.rateLimitPerIpPerMinute, config.rateLimitPerUserPerMinute);
  const upstreams: Record<ServiceName, string> = {
    user: config.userServiceUrl,
    product: config.productServiceUrl,
    order: config.orderServiceUrl,
    notification: config.notificationServiceUrl,
    analytics: config.analyticsServiceUrl,
  };
  const readiness = { redis: () => redis.ping() };
  let app: FastifyInstance | undefined;

  return new Service({
    name: 'gateway',
    logger,
    readiness,
    handler: async ({ metrics }) => {
      const built = await buildApp({ config, logger, metrics, tokens, limits, upstreams, readiness });
      app = built.app;
      return built.listener;
    },
    closers: [
      { name: 'proxy connections', close: async () => app?.close() },
      { name: 'redis', close: () => redis.quit() },
    ],
  });
}

interface AppParts {
  config: GatewayConfig;
  logger: Logger;
  metrics: ServiceMetrics;
  tokens: AccessTokens;
  limits: RateLimits;
  upstreams: Record<ServiceName, string>;
  readiness: Record<string, () => Promise<unknown>>;
}

async function buildApp(parts: AppParts): Promise<{ app: FastifyInstance; listener: RequestListener }> {
  const { config, logger, metrics } = parts;
  // The kit's Service owns the listening server: Fastify only hands over its request handler.
  let listener: RequestListener | undefined;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // The kit logs one short access line per request; Fastify's own two lines would double it.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (a pino child each time was a measurable share of the gateway's
    // CPU): the gateway's lines name their request id themselves.
    childLoggerFactory: (parent) => parent,
    trustProxy: 'loopback',
    genReqId: (req: IncomingMessage) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    serverFactory: (handler) => {
      listener = handler;
      return createServer();
    },
  });

  // Every method Node parses reaches the proxy, so the service answers the ones it does not declare
  // (WebDAV's, QUERY…) with 405 and Allow. They are bodyless here: no route takes them, and as a
  // method with a body QUERY would be refused by Fastify with 400 when it has no Content-Type.
  for (const method of METHODS.filter((m) => m !== 'CONNECT' && !app.supportedMethods.includes(m)))
    app.addHttpMethod(method);
  app.addHttpMethod('QUERY', { overrideExisting: true });
  app.decorateRequest('span', undefined as unknown as ServerSpan);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('routeLabel', 'unmatched');
  // Hooks take callbacks rather than promises: they run on every request, and a promise each is
  // measurable at the gateway's rate.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(GATEWAY_SECURITY_HEADERS);
    reply.header('x-request-id', request.id);
    request.span = startServerSpan('gateway', request.method, request.url, request.headers);
    request.routeLabel = request.routeOptions.url ?? 'unmatched';
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    metrics.observe(request.method, request.routeLabel, status, reply.elapsedTime / 1000);
    request.span.end(status, request.routeLabel);
    if (request.url !== '/health' && request.url !== '/metrics') {
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      logger[level](
        {
          ...request.span.ids(),
          req: { id: request.id, method: request.method, url: request.url, remoteAddress: request.ip },
          res: { statusCode: status },
          responseTime: Math.round(reply.elapsedTime),
        },
        'request completed',
      );
    }
    done();
  });
  app.setErrorHandler((error, request, reply) =>
    replyWithError(reply, request, asAppError(error), logger, error),
  );
  app.setNotFoundHandler((request, reply) =>
    config.uiDir && wantsAppShell(request.method, request.url.split('?')[0]!, request.headers.accept)
      ? reply.header('Cache-Control', 'no-cache').sendFile('index.html')
      : replyWithError(
          reply,
          request,
          new AppError(404, 'NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`),
          logger,
        ),
  );

  await app.register(fastifyCors, {
    origin: config.corsOrigins.split(',').map((o) => o.trim()),
    exposedHeaders: [
      'x-request-id',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
    ],
    maxAge: 600,
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    const report = await readinessReport(parts.readiness);
    if (!report.ready) reply.code(503).header('Retry-After', '5');
    return report.body;
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/api/docs', async () => mergedDocs(parts.upstreams));
  await app.register(async (api) => proxies(api, parts));
  if (config.uiDir) await serveUi(app, config.uiDir);

  await app.ready();
  return { app, listener: listener! };
}

/**
 * The public API: edge checks on every request, then the request streamed to the service that
 * owns its path prefix, over that service's keep-alive pool (upstream.ts), the answer streamed back
 * with the edge's headers added. Bodies pass through unparsed; their size was capped at the edge.
 */
async function proxies(api: FastifyInstance, parts: AppParts): Promise<void> {
  const { config, tokens, limits, upstreams, logger } = parts;
  api.addHook('onRequest', async (request, reply) => {
    const tooBig = bodyCapError(request.headers, config.bodyLimitBytes);
    if (tooBig) throw tooBig;
    request.routeLabel = `proxy:${serviceFor(request.url)}`;
    request.principal = await edgePrincipal(tokens, request.headers.authorization);
    const decision = await limits.consume(request.principal, request.ip);
    reply.headers(decision.headers);
    if (decision.refusal) throw decision.refusal;
  });
  // The body stays a stream: Fastify hands it to the handler unread and the pool sends it on.
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  const pools = new Map<ServiceName, Upstream>();
  api.addHook('onClose', async () => {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
  });
  for (const { prefix, service } of ROUTES) {
    let upstream = pools.get(service);
    if (!upstream) pools.set(service, (upstream = new Upstream(upstreams[service], 15_000)));
    const target = upstream;
    const handler = (request: FastifyRequest, reply: FastifyReply) => {
      const forwardedFor = request.headers['x-forwarded-for'];
      const remote = request.socket.remoteAddress ?? '';
      target.forward(
        {
          method: request.method,
          url: request.url,
          headers: {
            ...endToEnd(request.headers),
            'x-request-id': request.id,
            'x-forwarded-for': forwardedFor ? `${String(forwardedFor)}, ${remote}` : remote,
            'x-forwarded-proto': request.protocol,
            'x-forwarded-host': request.host,
            [API_KEY_HEADER]: config.internalApiKey,
            // The service continues the gateway's span, not the client's.
            ...request.span.headers(),
          },
          ...(request.body ? { body: request.body as Readable } : {}),
        },
        reply.raw,
        {
          // From here on the response is written directly; Fastify's onResponse hook still runs.
          onHeaders: (_status, headers) => {
            reply.hijack();
            return { ...reply.getHeaders(), ...headers };
          },
          onUnavailable: (error) => {
            logger.warn({ err: error, service, requestId: request.id }, 'upstream unavailable');
            if (reply.raw.destroyed) return; // the client has gone
            void replyWithError(
              reply,
              request,
              new AppError(
                503,
                'SERVICE_UNAVAILABLE',
                `the ${service} service is unavailable; retry shortly`,
                undefined,
                5,
              ),
              logger,
            );
          },
        },
      );
    };
    // Every method goes through: the service that owns the path answers one it does not declare
    // with 405 and Allow, which only it knows.
    api.route({ method: api.supportedMethods, url: prefix, handler });
    api.route({ method: api.supportedMethods, url: `${prefix}/*`, handler });
  }
}

/** Errors Fastify itself raises (a bad header, an unsupported method) carry their 4xx status. */
function asAppError(error: unknown): AppError {
  const status = (error as { statusCode?: number }).statusCode;
  if (!(error instanceof AppError) && status && status >= 400 && status < 500) {
    return new AppError(status, 'BAD_REQUEST', (error as Error).message);
  }
  return toAppError(error);
}

/** What replyWithError needs of a Fastify reply. */
interface ErrorReply {
  header(name: string, value: string): unknown;
  code(status: number): { send(body: unknown): unknown };
}

/** The same error answer as every service's: `{ code, message, details, requestId }`, Retry-After on 429/503. */
function replyWithError(
  reply: ErrorReply,
  request: { id: string; url: string },
  appError: AppError,
  logger: Logger,
  cause?: unknown,
): unknown {
  if (appError.status >= 500 && appError.code === 'INTERNAL') {
    logger.error({ err: cause, requestId: request.id, path: request.url }, 'request failed');
  }
  if (appError.retryAfterS !== undefined) reply.header('Retry-After', String(appError.retryAfterS));
  return reply.code(appError.status).send(errorBody(appError, request.id));
}
