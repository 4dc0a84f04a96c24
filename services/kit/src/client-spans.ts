import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  propagation,
  trace,
  type Attributes,
  type Span,
} from '@opentelemetry/api';
import type { MongoClient } from 'mongodb';

/**
 * Spans for calls to the data tier, made only while traces are exported: without an OTLP endpoint
 * nothing reads them, and the driver's command monitoring they need costs CPU on every command.
 * Redis has none of its own: ioredis auto-pipelining sends a tick's commands from the first caller's
 * context, so per-command spans would hang under the wrong request.
 */
export function tracesExported(): boolean {
  return Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

function finish(span: Span, error?: unknown): void {
  if (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }
  span.end();
}

/** A MongoDB command's span, child of the active span; none when that span is not recorded. */
function mongoCommandSpan(name: string, attributes: Attributes): Span | undefined {
  if (!trace.getActiveSpan()?.isRecording()) return undefined;
  return trace.getTracer('mongodb').startSpan(name, { kind: SpanKind.CLIENT, attributes });
}

/** Most open commands one process has at once; beyond it the oldest are dropped, not kept forever. */
const MAX_OPEN_COMMANDS = 10_000;

/**
 * A client span per MongoDB command, from the driver's command monitoring (the client must be
 * created with `monitorCommands: true`): started in the caller's context, ended by its reply.
 */
export function traceMongoCommands(client: MongoClient): void {
  const open = new Map<number, Span>();
  client.on('commandStarted', (event) => {
    const target: unknown = event.command[event.commandName];
    const span = mongoCommandSpan(`mongodb ${event.commandName}`, {
      'db.system.name': 'mongodb',
      'db.operation.name': event.commandName,
      'db.namespace': event.databaseName,
      ...(typeof target === 'string' ? { 'db.collection.name': target } : {}),
    });
    if (!span) return;
    if (open.size >= MAX_OPEN_COMMANDS) open.delete(open.keys().next().value!);
    open.set(event.requestId, span);
  });
  const end = (requestId: number, error?: unknown) => {
    const span = open.get(requestId);
    if (!span) return;
    open.delete(requestId);
    finish(span, error);
  };
  client.on('commandSucceeded', (event) => end(event.requestId));
  client.on('commandFailed', (event) => end(event.requestId, event.failure));
}

/**
 * A producer span for publishing one event, in the trace the event carries (the request that caused
 * it, even when the outbox relay publishes it later); none when that trace is not sampled.
 */
export async function withProducerSpan<T>(
  topic: string,
  event: { id: string; type: string; traceparent?: string },
  send: () => Promise<T>,
): Promise<T> {
  const parent = propagation.extract(
    ROOT_CONTEXT,
    event.traceparent ? { traceparent: event.traceparent } : {},
  );
  const sampled = (trace.getSpanContext(parent)?.traceFlags ?? 0) & TraceFlags.SAMPLED;
  if (!sampled) return send();
  const span = trace.getTracer('kafka').startSpan(
    `publish ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': topic,
        'messaging.message.id': event.id,
        'event.type': event.type,
      },
    },
    parent,
  );
  try {
    const result = await send();
    finish(span);
    return result;
  } catch (error) {
    finish(span, error);
    throw error;
  }
}
