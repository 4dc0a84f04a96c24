import { pino, type DestinationStream, type Logger } from 'pino';
import { logTraceIds } from './tracing.ts';

export type { Logger };

/**
 * JSON logs, one line per event. Secrets never reach them: credentials, tokens and passwords are
 * redacted wherever they appear in a logged object.
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
    destination,
  );
}
