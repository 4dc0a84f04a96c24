import { UsageError } from '@stackdrill/toolkit';
import { describe, expect, it, vi } from 'vitest';
import { drill } from './drill-command.ts';

describe('pnpm drill', () => {
  it('when the drill is unknown or missing, then a UsageError names the drills before anything is touched', async () => {
    const unknown = await drill(['melt-down']).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(UsageError);
    expect((unknown as Error).message).toBe(
      'unknown drill "melt-down"; drills: redis-master-failover, kafka-leader-loss, mongo-primary-failover, mongo-crash-restart, service-crash, zone-loss, backup-restore (or all)',
    );
    await expect(drill([])).rejects.toThrow(/name a drill, `all` or `list`/);
    await expect(drill(['redis-master-failover', 'zone-loss'])).rejects.toThrow(
      /one drill \(or all\) at a time/,
    );
  });

  it('when asked for the list, then every drill is named with what it proves', async () => {
    const lines: string[] = [];
    const log = vi
      .spyOn(console, 'log')
      .mockImplementation((...parts: unknown[]) => void lines.push(parts.join(' ')));
    try {
      expect(await drill(['list'])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const text = lines.join('\n');
    for (const name of [
      'redis-master-failover',
      'kafka-leader-loss',
      'mongo-crash-restart',
      'service-crash',
      'zone-loss',
    ])
      expect(text).toContain(name);
    expect(text).toContain('on FerretDB it says why it cannot run');
  });
});
