import type { Db } from 'mongodb';
import type { Producer } from 'kafkajs';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newEvent } from './envelope.ts';
import { OutboxRelay, withOutbox } from './outbox.ts';

// The relay's timing (poll, back-off, nudge) over an in-memory collection and producer; the real
// database and Kafka path is covered by the services' integration tests.
function fakes() {
  const docs: { _id: string; outbox: { events: unknown[]; sentAt: Date | null } }[] = [];
  const sent: unknown[] = [];
  let finds = 0;
  const collection = {
    find: () => ({
      limit: () => ({
        toArray: async () => (finds++, docs.filter((d) => d.outbox.sentAt === null)),
      }),
    }),
    updateOne: async (filter: { _id: string }) => {
      docs.find((d) => d._id === filter._id)!.outbox.sentAt = new Date();
    },
  };
  const db = { collection: () => collection } as unknown as Db;
  const producer = { send: async (record: unknown) => void sent.push(record) } as unknown as Producer;
  return { docs, sent, db, producer, finds: () => finds };
}

let relay: OutboxRelay | undefined;

/** A started relay over fresh fakes, on fake timers. */
function startRelay() {
  vi.useFakeTimers();
  const f = fakes();
  const started = (relay = new OutboxRelay({
    db: f.db,
    collections: ['users'],
    producer: f.producer,
    logger: pino({ level: 'silent' }),
  }));
  started.start();
  return { ...f, relay: started };
}

const event = (id: string) =>
  newEvent('user.registered', 'test', id, { userId: id, email: 'a@b.c', name: 'A' });
afterEach(async () => {
  await relay?.stop();
  vi.useRealTimers();
});

describe('the outbox relay', () => {
  it('backs off while there is nothing to relay: an idle minute costs a handful of polls, not 300', async () => {
    const f = startRelay();
    await vi.advanceTimersByTimeAsync(60_000);
    // 200 ms doubling to 5 s: 0.4, 0.8, 1.6, 3.2, then every 5 s.
    expect(f.finds()).toBeGreaterThan(5);
    expect(f.finds()).toBeLessThan(20);
  });

  it('a nudge relays a fresh outbox at once, even in the middle of a long idle pause', async () => {
    const f = startRelay();
    await vi.advanceTimersByTimeAsync(30_000); // the pause is now 5 s
    f.docs.push({ _id: 'u1', ...withOutbox({}, [event('u1')]) });
    f.relay.nudge();
    await vi.advanceTimersByTimeAsync(10); // well before the next poll
    expect(f.sent).toHaveLength(1);
    expect(f.docs[0]!.outbox.sentAt).not.toBeNull();
  });

  it('without a nudge (a crashed writer’s outbox), the poll still finds it', async () => {
    const f = startRelay();
    await vi.advanceTimersByTimeAsync(30_000);
    f.docs.push({ _id: 'u2', ...withOutbox({}, [event('u2')]) });
    await vi.advanceTimersByTimeAsync(5_100);
    expect(f.sent).toHaveLength(1);
  });
});
