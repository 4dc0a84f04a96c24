import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { connectEngine } from './engine-connection.ts';

/**
 * The API service this process starts where no engine serves one (Podman here): it exits after
 * an idle period should the process die, but never while the process lives.
 */
describe('the Podman API service this process starts', () => {
  it('when the process makes no engine call for longer than the service idles, then its next call still reaches the engine', async () => {
    const connection = await connectEngine(process.env, { idleS: 2 });
    try {
      // Past the idle period, and past the 5 s an HTTP client keeps an idle connection open (which
      // holds the service too).
      await sleep(10_000);
      expect(connection.alive()).toBe(true);
      expect(String(await connection.docker.ping())).toBe('OK');
    } finally {
      await connection.close();
    }
  }, 30_000);
});
