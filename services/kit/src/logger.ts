import { destination as pinoDestination, pino, type DestinationStream, type Logger } from 'pino';
import { logTraceIds } from './tracing.ts';

export type { Logger };

/** Lines are written out once this much is buffered... */
const BUFFER_BYTES = 4096;
/** ...or this long after the first of them, whichever comes first. */
const FLUSH_MS = 500;

/**
 * JSON logs, one line per event. Secrets never reach them: credentials, tokens and passwords are
 * redacted wherever they appear in a logged object. Lines go to stdout buffered, as a web server's
 * access log is: one write per 4 KB or per half second, and on exit (a write per line was ~14 % of
 * the gateway's throughput on a 2-core machine). A SIGKILL loses at most that last half second.
 * With LOG_FILE set (the test suite sets it for the services it runs in-process), lines are
 * appended to that file instead, so they stay out of the test output.
 */
export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  let unflushed = false;
  let stream = destination;
  if (!stream) {
    const file = process.env.LOG_FILE;
    const stdout = pinoDestination({
      dest: file || 1,
      ...(file ? { append: true, mkdir: true } : {}),
      sync: false,
      minLength: BUFFER_BYTES,
    });
    setInterval(() => {
      if (!unflushed) return;
      unflushed = false;
      try {
        stdout.flush();
      } catch {
        // Closed while the process exits: its exit handler wrote what was left.
      }
    }, FLUSH_MS).unref();
    stream = stdout;
  }
  return pino(
    {
      name: service,
      level,
      base: { service },
      // Every line carries the trace and span ids of the request or event it belongs to.
      mixin: logTraceIds,
      hooks: {
        streamWrite: (line) => {
          unflushed = true;
          return line;
        },
      },
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
    stream,
  );
}
