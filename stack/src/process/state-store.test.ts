import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StateStore, type ProcessRecord, type StackState } from './state-store.ts';

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

describe('StateStore: a change not yet written', () => {
  it('when another process writes meanwhile, then this process still sees its own change (a Kafka cluster id is made once)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'stackdrill-state-'));
    const file = join(dir, 'state.json');
    const mine = await StateStore.open(file, 'test', 'native');
    await mine.setProcess(record('redis-0', 1));
    // Another process holds the lock, so this change waits; meanwhile that process writes the file.
    await writeFile(`${file}.lock`, 'another process');
    const fact = mine.setFacts({ kafkaClusterId: 'made-once' });
    const theirs = JSON.parse(await readFile(file, 'utf8')) as StackState;
    theirs.processes['redis-1'] = record('redis-1', 2);
    await writeFile(file, JSON.stringify(theirs));
    expect(mine.state.processes['redis-1']?.pid).toBe(2);
    expect(mine.state.facts.kafkaClusterId).toBe('made-once');
    await rm(`${file}.lock`);
    await fact;
    const read = await StateStore.open(file, 'test', 'native');
    expect(read.state.facts.kafkaClusterId).toBe('made-once');
    expect(Object.keys(read.state.processes).sort()).toEqual(['redis-0', 'redis-1']);
  });
});
