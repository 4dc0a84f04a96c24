import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStore, type ProcessRecord } from './state-store.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const record = (member: string, pid: number): ProcessRecord => ({
  member,
  component: 'mongo',
  pid,
  startTicks: 1,
  startedAt: new Date(0).toISOString(),
  command: 'x',
  args: [],
  cwd: '/',
  logFile: '/dev/null',
});

describe('StateStore shared by two providers of one instance', () => {
  it('when each records a member, then the file holds both, and each sees the other’s', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackdrill-state-'));
    const file = join(dir, 'state.json');
    const first = await StateStore.open(file, 'test', 'native');
    await first.setProcess(record('mongo-0', 100));
    // A second process (a chaos run) opens the same instance and restarts a member.
    const second = await StateStore.open(file, 'test', 'native');
    await second.setProcess(record('kafka-2', 200));
    await second.setProcess(record('mongo-0', 101));
    // The first, still holding what it read, records another member: the second's records stay.
    await first.setFacts({ redisMaster: 'redis-1' });
    const third = await StateStore.open(file, 'test', 'native');
    expect(third.state.processes['mongo-0']!.pid).toBe(101);
    expect(third.state.processes['kafka-2']!.pid).toBe(200);
    expect(third.state.facts.redisMaster).toBe('redis-1');
    expect(first.state.processes['kafka-2']!.pid).toBe(200);
  });

  it('when both write at once, then no change is lost', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackdrill-state-'));
    const file = join(dir, 'state.json');
    const a = await StateStore.open(file, 'test', 'native');
    const b = await StateStore.open(file, 'test', 'native');
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).setProcess(record(`m-${i}`, 1000 + i))),
    );
    const read = await StateStore.open(file, 'test', 'native');
    expect(Object.keys(read.state.processes)).toHaveLength(20);
  });
});
