import { describe, expect, it } from 'vitest';
import { startHelloServer } from './hello-server.ts';
import { planCpus } from './pinning.ts';
import { OwnedProcesses } from '@stackdrill/toolkit';

describe('startHelloServer', () => {
  it('when started, then it answers 200 "hello" on loopback, and stop() ends its process', async () => {
    const owned = new OwnedProcesses();
    const server = await startHelloServer(owned, planCpus([0], false));
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const response = await fetch(server.url);
      expect([response.status, await response.text()]).toEqual([200, 'hello']);
    } finally {
      await server.stop();
    }
    expect(owned.pids()).toEqual([]);
  });
});
