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
  parseAddressMap,
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
  unansweredStatus,
} from '@stackdrill/kit';
import { SERVICE_NAMES } from '@stackdrill/facts';
import { upstreamKey, type GATEWAY_CONFIG } from './config.ts';
import { mergedDocs } from './docs.ts';
import { bodyCapError, edgePrincipal, RateLimits } from './edge.ts';
import { LOAD_CLIENT, LOAD_MARK_HEADER, markedLoad, type MarkedLoad } from './load-mark.ts';
import { ROUTES, serviceFor, type ServiceName } from './routes.ts';
import { GATEWAY_SECURITY_HEADERS } from './security-headers.ts';
import { SignInRules } from './sign-in-rules.ts';
import { serveUi, wantsAppShell } from './ui.ts';
import { UI_CACHE_CONTROL } from './ui-caching.ts';
import { endToEnd, MAX_ARRIVING_PER_CLIENT, Upstream } from './upstream.ts';

export type GatewayConfig = ConfigValues<typeof GATEWAY_CONFIG>;

declare module 'fastify' {
  interface FastifyRequest {
    span: ServerSpan;
    principal: Principal | undefined;
    /** The route label for metrics and spans: `proxy:<service>` or the route's pattern. */
    routeLabel: string;
    /**
     * The client's address, read once as the request starts: with trusted proxies Fastify's
     * `request.ip` reads the socket, and once a proxied request is done that read threw (the access
     * line of every forwarded body was lost).
     */
    clientIp: string;
    /** `performance.now()` as the request started. */
    startedAt: number;
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
    {
      sentinels: parseHostList(config.redisSentinels),
      masterName: config.redisMasterName,
      natMap: parseAddressMap(config.redisNatMap),
    },
    logger,
  );
  const tokens = new AccessTokens(config.jwtSecret, config.accessTokenTtlS);
  const limits = RateLimits.inRedis(redis, config.rateLimitPerIpPerMinute, config.rateLimitPerUserPerMinute);
  const load = markedLoad(config, (perMinute) =>
    RateLimits.inRedis(redis, perMinute, config.rateLimitPerUserPerMinute),
  );
  const upstreams = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, config[upstreamKey(name)]]),
  ) as Record<ServiceName, string>;
  const readiness = { redis: () => redis.ping() };
  const signIn = new SignInRules(upstreams, logger);
  let app: FastifyInstance | undefined;

  return new Service({
    name: 'gateway',
    logger,
    readiness,
    // Prometheus scrapes the gateway on a port of its own: the edge port is public.
    metricsPort: config.metricsPort,
    handler: async ({ metrics }) => {
      await signIn.start();
      const built = await buildApp({
        config,
        logger,
        metrics,
        tokens,
        limits,
        load,
        upstreams,
        readiness,
        signIn,
      });
      app = built.app;
      return built.listener;
    },
    closers: [
      { name: 'sign-in rules', close: async () => signIn.stop() },
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
  load: MarkedLoad;
  upstreams: Record<ServiceName, string>;
  readiness: Record<string, () => Promise<unknown>>;
  signIn: SignInRules;
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
    // X-Forwarded-For is believed only from the proxies configured: from anyone else, each forged
    // value would be a fresh rate-limit bucket.
    trustProxy: config.trustedProxies.trim() || false,
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
  app.decorateRequest('clientIp', '');
  app.decorateRequest('startedAt', 0);
  // One access line and one count per request, when its connection is done with it: its answer
  // complete, or its client gone first (499; 408 if it timed out: a client leaving is no server error).
  const account = (request: FastifyRequest, reply: FastifyReply) => {
    const answered = reply.raw.writableFinished;
    const status = answered ? reply.statusCode : unansweredStatus(request.raw);
    const elapsedMs = performance.now() - request.startedAt;
    metrics.observe(request.method, request.routeLabel, status, elapsedMs / 1000);
    request.span.end(status, request.routeLabel);
    if (request.url === '/health') return;
    logger[status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'](
      {
        ...request.span.ids(),
        req: { id: request.id, method: request.method, url: request.url, remoteAddress: request.clientIp },
        res: { statusCode: status },
        responseTime: Math.round(elapsedMs),
      },
      answered ? 'request completed' : 'request aborted by the client',
    );
  };
  // Hooks take callbacks rather than promises: they run on every request, and a promise each is
  // measurable at the gateway's rate.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(GATEWAY_SECURITY_HEADERS);
    reply.header('x-request-id', request.id);
    request.span = startServerSpan('gateway', request.method, request.url, request.headers);
    request.routeLabel = request.routeOptions.url ?? 'unmatched';
    request.clientIp = request.ip;
    request.startedAt = performance.now();
    // Not Fastify's onResponse: it misses a client that left (and its onRequestAbort also fires
    // when the pool ends a body stream early, an answer still to come).
    reply.raw.once('close', () => account(request, reply));
    done();
  });
  app.setErrorHandler((error, request, reply) =>
    replyWithError(reply, request, asAppError(error), logger, error),
  );
  app.setNotFoundHandler((request, reply) =>
    config.uiDir && wantsAppShell(request.method, request.url.split('?')[0]!, request.headers.accept)
      ? reply.header('Cache-Control', UI_CACHE_CONTROL.pages).sendFile('index.html')
      : replyWithError(
          reply,
          request,
          new AppError(404, 'NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`),
          logger,
        ),
  );

  await app.register(fastifyCors, {
    origin: config.corsOrigins.split(',').map((o) => o.trim()),
    // Every method the API declares (the plugin's default, GET, HEAD and POST, kept the UI from
    // PUT and PATCH). Request headers are not listed: the preflight allows those the browser asks for.
    methods: API_METHODS,
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
  const { config, tokens, limits, load, upstreams, logger, signIn } = parts;
  api.addHook('onRequest', async (request, reply) => {
    const tooBig = bodyCapError(request.headers, config.bodyLimitBytes);
    if (tooBig) throw tooBig;
    const service = serviceFor(request.url)!;
    request.routeLabel = `proxy:${service}`;
    if (!request.headers.authorization && request.headers['content-length'] !== undefined) {
      const anonymous = anonymousBodyError(signIn, service, request.method, request.url);
      if (anonymous) throw anonymous;
    }
    // Counted by IP before the token is looked at, so refused tokens are throttled too; the stack's
    // own marked load counts all together under its own bound instead of per IP.
    const byIp = load.marks.verify(request.headers[LOAD_MARK_HEADER])
      ? await load.limits.consumeIp(LOAD_CLIENT)
      : await limits.consumeIp(request.clientIp);
    reply.headers(byIp.headers);
    if (byIp.refusal) throw byIp.refusal;
    request.principal = await edgePrincipal(tokens, request.headers.authorization);
    if (request.principal) {
      const byUser = await limits.consumeUser(request.principal);
      // The headers tell the tighter of the two limits.
      if (byUser.refusal || byUser.remaining < byIp.remaining) reply.headers(byUser.headers);
      if (byUser.refusal) throw byUser.refusal;
    }
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
      if (request.body) {
        const admitted = target.admits(request.raw, request.principal?.userId ?? request.clientIp);
        if (admitted !== 'yes') {
          void replyWithError(reply, request, bodiesBusyError(admitted, service), logger);
          return;
        }
      }
      target.forward(
        {
          method: request.method,
          url: request.url,
          headers: {
            ...endToEnd(request.headers),
            'x-request-id': request.id,
            // The client as the gateway determined it (a client's own X-Forwarded-For is not passed
            // on): the services believe the gateway, so they see the same address.
            'x-forwarded-for': request.clientIp,
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
            // The client has gone (its body stream ended the upstream call): nothing is unavailable.
            if (reply.raw.destroyed) return;
            logger.warn({ err: error, service, requestId: request.id }, 'upstream unavailable');
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

/** The answer to a body that has to wait for others still arriving (see Upstream.admits). */
function bodiesBusyError(bound: 'client busy' | 'pool busy', service: ServiceName): AppError {
  return bound === 'client busy'
    ? new AppError(
        429,
        'TOO_MANY_UPLOADS',
        `you have ${MAX_ARRIVING_PER_CLIENT} request bodies still arriving at the ${service} service; finish sending those first`,
        undefined,
        1,
      )
    : new AppError(
        503,
        'SERVICE_BUSY',
        `too many request bodies are still arriving at the ${service} service; retry shortly`,
        undefined,
        1,
      );
}

/**
 * A body without a token, on a route that needs a user, is refused before a byte of it is read or
 * forwarded (the service would refuse it anyway, after the client had held a connection to it for
 * as long as it liked). Until a service's routes are known the gateway cannot tell, so it fails safe:
 * such a body waits for the service's document (a 503 to retry) rather than being let through.
 */
function anonymousBodyError(
  signIn: SignInRules,
  service: ServiceName,
  method: string,
  url: string,
): AppError | undefined {
  const needsUser = signIn.needsUser(service, method, url);
  if (needsUser === false) return undefined;
  if (needsUser) return AppError.unauthorized();
  return new AppError(
    503,
    'SERVICE_UNAVAILABLE',
    `the ${service} service's routes are not known yet; retry shortly`,
    undefined,
    2,
  );
}

/** The methods a service's route may declare (the kit's RouteSpec), and HEAD with GET. */
const API_METHODS = ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'];

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
