import { destination as pinoDestination, pino, type DestinationStream, type Logger } from 'pino';
import { logTraceIds } from './tracing.ts';

export type { Logger };

/**
 * JSON logs, one line per event. Secrets never reach them: credentials, tokens and passwords are
 * redacted wherever they appear in a logged object. Lines go to stdout asynchronously (buffered
 * while a write is in flight, flushed on exit): a synchronous write per line is a large share of a
 * request's cost under load. A SIGKILL can lose the lines still in flight.
 */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
      name: service,
      level,
      base: { service },
      // Every line carries the trace and span ids of the request or event it belongs to.
      mixin: logTraceIds,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-key"]',
          '*.password',
          '*.refreshToken',
          '*.accessToken',
          'password',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pinoDestination({ dest: 1, sync: false }),
  );
}
