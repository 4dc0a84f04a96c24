import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  NodeTracerProvider,
  ParentBasedSampler,
} from '@opentelemetry/sdk-trace-node';
import type { NextFunction, Request, Response } from 'express';

let provider: NodeTracerProvider | undefined;

/**
 * OpenTelemetry for the process, once: W3C trace context is read from and written to HTTP headers
 * and event envelopes; spans are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (sampled as OTEL_TRACES_SAMPLER says, every trace by default). Without an endpoint nothing would
 * read a recorded span, so new traces are not recorded: their spans still have ids, which travel on
 * and appear in every log line, at a fraction of the cost. A caller that asks for a sampled trace
 * still gets one. Set the endpoint on every service, or the unset ones pass traces on unsampled.
 */
export function setupTracing(service: string): void {
  if (provider) return;
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: endpoint
      ? [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }))]
      : [],
    ...(endpoint ? {} : { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) }),
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
}

/** Exports the spans still buffered (on stop: the batch processor would otherwise lose them). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/**
 * A server span for one request, continuing the caller's trace, for frameworks that cannot run the
 * handling inside `context.with` (the gateway's hooks): the caller ends it, and takes the headers for
 * the next hop and the ids for log lines from it.
 */
export function startServerSpan(
  service: string,
  method: string,
  path: string,
  headers: Record<string, string | string[] | undefined>,
) {
  const parent = propagation.extract(context.active(), headers);
  const span = trace
    .getTracer(service)
    .startSpan(
      `${method} ${path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } },
      parent,
    );
  const active = trace.setSpan(parent, span);
  return {
    span,
    /** `traceparent` (and `tracestate`) naming this span as the parent of the next hop. */
    headers(): Record<string, string> {
      const carrier: Record<string, string> = {};
      propagation.inject(active, carrier);
      return carrier;
    },
    ids(): Record<string, string> {
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
    end(status: number, route: string): void {
      span.updateName(`${method} ${route}`);
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

export type ServerSpan = ReturnType<typeof startServerSpan>;

/** A server span per request, continuing the caller's trace (`traceparent`), active while it is handled. */
export function traceRequests(service: string) {
  const tracer = trace.getTracer(service);
  return (req: Request, res: Response, next: NextFunction) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      `${req.method} ${req.path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
      parent,
    );
    res.once('finish', () => {
      const route =
        (res.locals.route as string | undefined) ??
        (req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : req.path);
      span.updateName(`${req.method} ${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** The trace context headers of the current span, for an outgoing call or an event. */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The current `traceparent`, if a trace is active. */
export function currentTraceparent(): string | undefined {
  return traceHeaders().traceparent;
}

/** Runs `fn` in a consumer span that continues the trace an event carries. */
export function withEventSpan<T>(
  service: string,
  event: { type: string; traceparent?: string },
  fn: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(
    context.active(),
    event.traceparent ? { traceparent: event.traceparent } : {},
  );
  const span = trace
    .getTracer(service)
    .startSpan(`consume ${event.type}`, { kind: SpanKind.CONSUMER }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The ids of the active span, for log lines. */
export function logTraceIds(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
