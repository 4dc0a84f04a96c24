import { describe, expect, it } from 'vitest';
import { CanaryWriter, type CanaryStore } from './canary.ts';

/** A store in memory (unit tests fake what they do not test: here the datastore). */
class MemoryStore implements CanaryStore {
  readonly datastore = 'memory';
  readonly where = 'an array';
  readonly held: number[] = [];
  constructor(private readonly behaviour: (seq: number) => 'ok' | 'refuse' | 'hang' = () => 'ok') {}
  async open() {}
  async write(seq: number) {
    const what = this.behaviour(seq);
    if (what === 'refuse') throw new Error('refused');
    if (what === 'hang') await new Promise(() => {});
    this.held.push(seq);
  }
  async stored() {
    return this.held;
  }
  async close() {}
}

const runFor = async (writer: CanaryWriter, ms: number) => {
  await writer.start();
  await new Promise((resolve) => setTimeout(resolve, ms));
  await writer.stop();
};

describe('CanaryWriter', () => {
  it('when the store answers, then writes go in sequence at the pace, each with its acknowledgement time', async () => {
    const store = new MemoryStore();
    const writer = new CanaryWriter(store, { intervalMs: 10 });
    await runFor(writer, 120);
    const writes = writer.writes();
    expect(writes.length).toBeGreaterThanOrEqual(5);
    expect(writes.map((w) => w.seq)).toEqual(store.held);
    expect(writes.every((w) => w.ackedAt! >= w.sentAt)).toBe(true);
  });

  it('when a write is refused or hangs past the timeout, then it is recorded as failed with why', async () => {
    const writer = new CanaryWriter(
      new MemoryStore((seq) => (seq === 2 ? 'refuse' : seq === 3 ? 'hang' : 'ok')),
      {
        intervalMs: 5,
        timeoutMs: 30,
      },
    );
    await runFor(writer, 120);
    const [, second, third] = writer.writes();
    expect(second!.error).toBe('refused');
    expect(third!.error).toBe('not acknowledged within 30 ms');
    expect(writer.writes().at(-1)!.ackedAt).toBeDefined();
  });

  it('when told to drop an acknowledged write (testing the checks), then it is recorded as acknowledged and never stored', async () => {
    const store = new MemoryStore();
    const writer = new CanaryWriter(store, { intervalMs: 5, dropAcked: new Set([2]) });
    await runFor(writer, 60);
    expect(writer.writes()[1]!.ackedAt).toBeDefined();
    expect(store.held).not.toContain(2);
  });
});
