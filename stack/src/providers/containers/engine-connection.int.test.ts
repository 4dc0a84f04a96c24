import { describe, expect, it, vi } from 'vitest';

/**
 * The API service a process starts where no engine serves one (Podman here). Two test files of
 * one run are one process with a fresh instance of the module each: their services must not meet.
 */
describe('the Podman API services a process starts', () => {
  it('when two instances of the module start a service each, then each has its own socket, and one ending leaves the other serving', async () => {
    const first = await import('./engine-connection.ts');
    vi.resetModules();
    const second = await import('./engine-connection.ts');
    expect(second).not.toBe(first);
    const a = await first.connectEngine(process.env);
    const b = await second.connectEngine(process.env);
    try {
      expect(a.engine.host).not.toBe(b.engine.host);
      expect(a.alive() && b.alive()).toBe(true);
      await a.close();
      expect(b.alive()).toBe(true);
      expect(String(await b.docker.ping())).toBe('OK');
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
