import { describe, expect, it } from 'vitest';
import { OwnedProcesses } from './owned-processes.ts';

const node = process.execPath;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('OwnedProcesses', () => {
  it('when a process runs to its end, then its output is returned and its PID forgotten', async () => {
    const owned = new OwnedProcesses();
    const finished = await owned.run(node, ['-e', 'console.log("out")'], { timeoutMs: 20_000, what: 'echo' });
    expect(finished.stdout).toBe('out\n');
    expect(owned.pids()).toEqual([]);
  });

  it('when a process exits non-zero, then it throws with the tail of its output', async () => {
    const owned = new OwnedProcesses();
    await expect(
      owned.run(node, ['-e', 'console.error("boom"); process.exit(3)'], {
        timeoutMs: 20_000,
        what: 'failing',
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/failing .* exited 3/), logTail: 'boom' });
  });

  it('when a process outlives its bound, then it is killed and that is an error', async () => {
    const owned = new OwnedProcesses();
    await expect(
      owned.run(node, ['-e', 'setTimeout(() => {}, 60_000)'], { timeoutMs: 200, what: 'sleeper' }),
    ).rejects.toThrow(/did not finish within 0.2 s/);
    expect(owned.pids()).toEqual([]);
  });

  it('when killAll is called, then every process it started is gone', async () => {
    const owned = new OwnedProcesses();
    const sleeper = await owned.start(node, ['-e', 'setTimeout(() => {}, 60_000)']);
    expect(owned.pids()).toEqual([sleeper.pid]);
    owned.killAll();
    expect((await sleeper.exited).signal).toBe('SIGKILL');
    expect(alive(sleeper.pid)).toBe(false);
  });

  it('when a command does not exist, then starting it says so', async () => {
    await expect(new OwnedProcesses().start('no-such-command-here', [])).rejects.toThrow(/could not start/);
  });
});
