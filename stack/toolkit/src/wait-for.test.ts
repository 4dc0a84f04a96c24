import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StackError } from './errors.ts';
import { waitFor } from './wait-for.ts';

describe('waitFor', () => {
  it('when the probe answers after a few tries, then it returns that answer', async () => {
    let tries = 0;
    const value = await waitFor(async () => (++tries >= 3 ? 'ready' : undefined), {
      component: 'x',
      what: 'be ready',
      timeoutMs: 2000,
      intervalMs: 10,
    });
    expect(value).toBe('ready');
    expect(tries).toBe(3);
  });

  it('when the probe never answers, then the error names the component, the wait and the last reason', async () => {
    const error = await waitFor(
      async () => {
        throw new Error('connection refused');
      },
      { component: 'redis-1', what: 'answer PING', timeoutMs: 100, intervalMs: 10 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackError);
    expect((error as StackError).message).toBe(
      'redis-1: did not answer PING within 0 s (last: connection refused)',
    );
  });

  it('when a watched process dies, then it fails at once with the tail of its log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stackdrill-wait-'));
    const logFile = join(dir, 'kafka-1.log');
    await writeFile(logFile, 'starting\nERROR corrupt meta.properties\n');
    const started = Date.now();
    const error = await waitFor(async () => undefined, {
      component: 'kafka',
      what: 'show 3 brokers',
      timeoutMs: 10_000,
      watch: [{ member: 'kafka-1', logFile, isRunning: async () => false }],
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(StackError);
    const described = (error as StackError).describe();
    expect(described).toContain('kafka-1: exited while waiting for kafka to show 3 brokers');
    expect(described).toContain(`log: ${logFile}`);
    expect(described).toContain('| ERROR corrupt meta.properties');
    expect(described).toContain('--fresh');
  });
});
