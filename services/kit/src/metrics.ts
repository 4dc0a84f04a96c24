import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { unansweredStatus } from './http/unanswered.ts';

/**
 * RED metrics per route (rate, errors, duration) plus the process's own, on one registry per
 * service. Routes are labelled by their pattern (`/api/products/:id`), never the raw path, so the
 * label set stays bounded. A request whose client hung up before its answer was complete is
 * labelled 499 (408 if it timed out), never a 5xx.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  /**
   * `stackdrill_fault_active{switch}`: 1 while a fault switch is on, 0 while it is off, read from
   * `onOff` at every scrape (so it can never disagree with `/internal/faults`).
   */
  trackFaultSwitches(onOff: () => Record<string, boolean>): void {
    new Gauge({
      name: 'stackdrill_fault_active',
      help: 'Whether a fault switch is on (1) or off (0); see GET /internal/faults',
      labelNames: ['switch'],
      registers: [this.registry],
      collect() {
        for (const [name, on] of Object.entries(onOff())) this.set({ switch: name }, on ? 1 : 0);
      },
    });
  }

  /** Counts one finished request (any HTTP framework). */
  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const start = process.hrtime.bigint();
      res.once('close', () => {
        // A proxy names its routes itself (res.locals.route); Express routes by their pattern.
        const route =
          (res.locals.route as string | undefined) ??
          (req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched');
        const status = res.writableFinished ? res.statusCode : unansweredStatus(req);
        this.observe(req.method, route, status, Number(process.hrtime.bigint() - start) / 1e9);
      });
      next();
    };
  }
}
