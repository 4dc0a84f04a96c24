import { context, propagation, trace } from '@opentelemetry/api';

/**
 * Clears OpenTelemetry's process-wide registrations. Integration test files share one process, and a
 * file that sets up tracing with an exporter must neither inherit the tracer of the files before it
 * nor leave its own to the files after it.
 */
export function resetTracingGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}
