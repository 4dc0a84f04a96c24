import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StackError } from '@stackdrill/toolkit';
import { StateStore } from './state-store.ts';
import { Supervisor } from './supervisor.ts';

let dir: string;
let supervisor: Supervisor;
let store: StateStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stackdrill-supervisor-'));
  store = await StateStore.open(join(dir, 'state.json'), 'test', 'native');
  supervisor = new Supervisor(store);
});

afterEach(async () => {
  for (const record of supervisor.records()) await supervisor.stop(record.member, 500);
});

const spec = (member: string, script: string) => ({
  member,
  component: 'test',
  command: 'sh',
  args: ['-c', script],
  cwd: dir,
  logFile: join(dir, `${member}.log`),
});

describe('supervisor', () => {
  it('when a process starts, then its PID, start time and log are recorded', async () => {
    const record = await supervisor.start(spec('a', 'echo hello; exec sleep 30'));
    expect(await supervisor.isRunning(record)).toBe(true);
    const saved = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    expect(saved.processes.a.pid).toBe(record.pid);
    await expect.poll(() => readFile(record.logFile, 'utf8')).toContain('hello');
  });

  it('when a recorded PID now belongs to another process, then it is not ours', async () => {
    const record = await supervisor.start(spec('a', 'exec sleep 30'));
    expect(await supervisor.isRunning({ ...record, startTicks: record.startTicks + 1 })).toBe(false);
  });

  it('when stopped, then SIGTERM ends it and the record is removed', async () => {
    const record = await supervisor.start(spec('a', 'exec sleep 30'));
    expect(await supervisor.stop('a', 2000)).toBe('stopped');
    expect(await supervisor.isRunning(record)).toBe(false);
    expect(supervisor.record('a')).toBeUndefined();
  });

  it('when a process ignores SIGTERM, then it is killed after the grace period', async () => {
    const record = await supervisor.start(spec('stubborn', "trap '' TERM; while :; do sleep 0.1; done"));
    await new Promise((r) => setTimeout(r, 100)); // let the trap install
    expect(await supervisor.stop('stubborn', 300)).toBe('killed');
    expect(await supervisor.isRunning(record)).toBe(false);
  });

  it('when a process is paused, then it is seen as paused and still stops', async () => {
    const record = await supervisor.start(spec('a', 'exec sleep 30'));
    await supervisor.signal('a', 'SIGSTOP');
    await expect.poll(() => supervisor.isPaused(record)).toBe(true);
    expect(await supervisor.stop('a', 2000)).toBe('stopped');
  });

  it('when the binary does not exist, then the error names the member and points at the doctor', async () => {
    const error = await supervisor
      .start({ ...spec('ghost', ''), command: '/nonexistent/binary', args: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackError);
    expect((error as StackError).message).toContain('ghost: could not start `/nonexistent/binary`');
    expect((error as StackError).hint).toContain('pnpm run doctor');
  });
});

describe('supervisor after an interrupt', () => {
  it('when new starts are refused, then start throws and spawns nothing', async () => {
    supervisor.refuseNewStarts('start-up was interrupted');
    const error = await supervisor.start(spec('late', 'exec sleep 30')).catch((e: unknown) => e);
    expect((error as Error).message).toBe('late: not started: start-up was interrupted');
    expect(supervisor.record('late')).toBeUndefined();
  });
});
