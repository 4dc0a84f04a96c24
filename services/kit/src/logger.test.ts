import { describe, expect, it } from 'vitest';
import { capturedLogger } from './testing/captured-logger.ts';

const capture = () => capturedLogger('logger-test');

describe('createLogger', () => {
  it('when secrets are logged, at the top or one level down, then they are redacted on every line', () => {
    const { logger, lines } = capture();
    for (let i = 0; i < 3; i++) {
      logger.info(
        {
          password: 'hunter2',
          body: { password: 'pw-nested', refreshToken: 'rt-secret', accessToken: 'at-secret', name: 'Ada' },
          req: { headers: { authorization: 'Bearer abc.def', cookie: 'sid=1', 'x-api-key': 'key-1' } },
        },
        `line ${i}`,
      );
    }
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      for (const secret of ['hunter2', 'pw-nested', 'rt-secret', 'at-secret', 'abc.def', 'sid=1', 'key-1'])
        expect(line).not.toContain(secret);
      const parsed = JSON.parse(line) as { body: { name: string; password: string } };
      expect(parsed.body).toMatchObject({ name: 'Ada', password: '[redacted]' });
    }
  });

  it('when a logged object is redacted, then the caller’s object is left as it was', () => {
    const { logger } = capture();
    const body = { password: 'kept' };
    logger.info({ body }, 'once');
    expect(body.password).toBe('kept');
  });
});
