import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../logger.ts';

/** The kit's logger writing into memory: each line as written, for tests that read what was logged. */
export function capturedLogger(service: string, level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(service, level, sink), lines };
}
