import { once } from 'node:events';
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import { createHttpApp } from './http/app.ts';
import type { ReadinessCheck } from './http/health.ts';
import type { FaultSwitches } from './faults/catalogue.ts';
import type { Logger } from './logger.ts';
import { ServiceMetrics } from './metrics.ts';
import { flushTracing, setupTracing } from './tracing.ts';

/** How long an idle keep-alive connection stays open (sent to clients as `Keep-Alive: timeout=65`). */
const KEEP_ALIVE_MS = 65_000;

/**
 * How long a request may take to arrive, headers and body, before it is answered 408 and its
 * connection closed. Node's default is 300 s: 130 bodies that never finished held every connection
 * of the gateway's pool to a service for that long. A capped body (100 KB) takes 10 s below 80 kbit/s.
 */
export const REQUEST_TIMEOUT_MS = 10_000;

export interface Closer {
  name: string;
  close(): Promise<unknown>;
}

export interface ServiceDefinition {
  name: string;
  logger: Logger;
  /** A service's routes, served by Express with the kit's common edges (see createHttpApp). */
  routes?: Router;
  /**
   * Or a request handler built by the definition itself, given the service's metrics: the gateway,
   * a proxy on Fastify, serves its own edges. Start, drain and close stay the kit's.
   */
  handler?: (context: { metrics: ServiceMetrics }) => Promise<RequestListener>;
  readiness?: Record<string, ReadinessCheck>;
  /**
   * The service's fault switches (served by its routes: see serviceRoutes), shown on its metrics as
   * `stackdrill_fault_active{switch}`.
   */
  faults?: FaultSwitches;
  /** Closed after the HTTP server has drained, in order (consumers before the clients they use). */
  closers?: Closer[];
  bodyLimit?: string;
  /**
   * Serve `/metrics` on a listener of its own at this port (0: any free one) and nowhere else: for
   * the gateway, whose own port is public. The services' ports are internal and serve it themselves.
   */
  metricsPort?: number;
  /** How long in-flight requests get to finish on stop before their connections are cut. */
  drainMs?: number;
  /** How long each closer gets. */
  closeTimeoutMs?: number;
}

export interface BoundAddress {
  host: string;
  port: number;
  url: string;
  /** Where `/metrics` is served, when on a listener of its own (ServiceDefinition.metricsPort). */
  metricsUrl?: string;
}

/**
 * One service process: `start()` binds (port 0 picks a free port, for tests) and returns the
 * address; `stop()` stops accepting, lets in-flight requests finish within a bound, then closes the
 * service's clients. Both are idempotent; `stop()` never hangs past its bounds.
 */
export class Service {
  readonly metrics: ServiceMetrics;
  private server: Server | undefined;
  private metricsServer: Server | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly def: ServiceDefinition) {
    if (!def.routes === !def.handler) throw new Error(`${def.name}: give either routes or a handler`);
    setupTracing(def.name);
    this.metrics = new ServiceMetrics(def.name);
    const faults = def.faults;
    if (faults) this.metrics.trackFaultSwitches(() => faults.onOff());
  }

  get logger(): Logger {
    return this.def.logger;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<BoundAddress> {
    if (this.server) throw new Error(`${this.def.name} is already started`);
    const listener = this.def.handler
      ? await this.def.handler({ metrics: this.metrics })
      : createHttpApp({
          name: this.def.name,
          logger: this.def.logger,
          metrics: this.metrics,
          routes: this.def.routes!,
          readiness: this.def.readiness ?? {},
          ...(this.def.bodyLimit ? { bodyLimit: this.def.bodyLimit } : {}),
        });
    const server = createServer(
      {
        requestTimeout: REQUEST_TIMEOUT_MS,
        headersTimeout: REQUEST_TIMEOUT_MS,
        // Node checks the bounds above on this interval (30 s by default): check every second.
        connectionsCheckingInterval: 1000,
      },
      listener,
    );
    // Callers (the gateway's pools, a load balancer) keep idle connections for up to a minute; Node's
    // default 5 s made them reconnect after every lull, and a connect is the dearest part of a
    // request here. The server's idle timeout must outlast the callers', or a close races a reuse.
    // (The request bounds run from a request's first byte: they never cut an idle connection.)
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.listen(port, host);
    this.server = server;
    await once(server, 'listening');
    const address = server.address() as AddressInfo;
    const bound: BoundAddress = { host, port: address.port, url: `http://${host}:${address.port}` };
    if (this.def.metricsPort !== undefined) {
      const metrics = createServer((req, res) =>
        this.serveMetrics(req.method, req.url, res).catch((error: unknown) => {
          this.def.logger.warn({ err: error }, `${this.def.name}: serving /metrics failed`);
          res.destroy();
        }),
      );
      metrics.listen(this.def.metricsPort, host);
      this.metricsServer = metrics;
      await once(metrics, 'listening');
      bound.metricsUrl = `http://${host}:${(metrics.address() as AddressInfo).port}`;
    }
    this.def.logger.info({ url: bound.url, metricsUrl: bound.metricsUrl }, `${this.def.name} listening`);
    return bound;
  }

  private async serveMetrics(method: string | undefined, url: string | undefined, res: ServerResponse) {
    if ((method !== 'GET' && method !== 'HEAD') || url?.split('?', 1)[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'NOT_FOUND', message: 'this listener serves GET /metrics only' }));
      return;
    }
    const text = await this.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
    res.end(method === 'HEAD' ? undefined : text);
  }

  stop(): Promise<void> {
    this.stopping ??= this.drainAndClose();
    return this.stopping;
  }

  private async drainAndClose(): Promise<void> {
    const { logger, name } = this.def;
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Requests that arrive on open keep-alive connections during the drain close them afterwards;
      // connections that go idle once their request finishes are swept until the server is closed.
      server.on('request', (_req, res) => res.setHeader('Connection', 'close'));
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      void closed.finally(() => clearInterval(sweep));
      server.closeIdleConnections();
      const drainMs = this.def.drainMs ?? 10_000;
      const drained = await Promise.race([
        closed.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), drainMs).unref()),
      ]);
      if (!drained) {
        logger.warn(`${name}: requests still running after ${drainMs} ms; closing their connections`);
        server.closeAllConnections();
        await closed;
      }
      clearInterval(sweep);
    }
    if (this.metricsServer) {
      const metrics = this.metricsServer;
      metrics.closeAllConnections();
      await new Promise((resolve) => metrics.close(resolve));
    }
    const closers: Closer[] = [...(this.def.closers ?? []), { name: 'trace export', close: flushTracing }];
    for (const closer of closers) {
      const timeoutMs = this.def.closeTimeoutMs ?? 5000;
      try {
        await Promise.race([
          closer.close(),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`took over ${timeoutMs} ms`)), timeoutMs).unref(),
          ),
        ]);
      } catch (error) {
        logger.warn({ err: error }, `${name}: closing ${closer.name} failed`);
      }
    }
    logger.info(`${name} stopped`);
  }
}

/**
 * The process entry for a service: start, stop gracefully on SIGTERM/SIGINT, and on a crash
 * (uncaught exception, unhandled rejection) log it, drain and exit 1.
 */
export async function runService(service: Service, port: number, host: string): Promise<BoundAddress> {
  const shutdown = (code: number) => {
    void service.stop().finally(() => process.exit(code));
  };
  process.once('SIGTERM', () => shutdown(0));
  process.once('SIGINT', () => shutdown(0));
  process.on('uncaughtException', (error) => {
    service.logger.fatal({ err: error }, 'uncaught exception');
    shutdown(1);
  });
  process.on('unhandledRejection', (reason) => {
    service.logger.fatal({ err: reason }, 'unhandled rejection');
    shutdown(1);
  });
  return service.start(port, host);
}
