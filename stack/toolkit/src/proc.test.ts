import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuTimeMs, finishedChildrenCpuTimeMs } from './proc.ts';

describe.runIf(process.platform === 'linux')('CPU time from /proc', () => {
  it("reads a running process's CPU time, and nothing for a PID that is gone", async () => {
    const own = await cpuTimeMs(process.pid);
    expect(own).toBeGreaterThan(0);
    expect(await cpuTimeMs(2 ** 22 + 1)).toBeUndefined(); // above Linux's highest PID
  });

  it('counts a child that ran to completion (wrk in the API bench) once it has exited', async () => {
    const before = await finishedChildrenCpuTimeMs();
    // The child spins for 300 ms of its own CPU time.
    const child = spawnSync(process.execPath, [
      '-e',
      'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300_000);',
    ]);
    expect(child.status).toBe(0);
    expect((await finishedChildrenCpuTimeMs()) - before).toBeGreaterThanOrEqual(250);
  });
});
