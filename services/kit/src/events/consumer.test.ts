import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { FaultSwitches, IDEMPOTENCY_SWITCH, STALL_CHECK_MS } from '../faults/catalogue.ts';
import { capturedLogger } from '../testing/captured-logger.ts';
import { runIdempotentConsumer } from './consumer.ts';
import type { EventEnvelope } from './envelope.ts';

// The consumer over fakes: kafkajs hands its eachBatch a batch, the dedupe records live in a Set.
// (The integration tests of the services run it against Kafka and MongoDB.)

const event = (id: string): EventEnvelope => ({
  id,
  type: 'order.placed',
  source: 'order-service',
  subject: `order-${id}`,
  time: new Date().toISOString(),
  data: {},
});

async function consumer() {
  const { logger } = capturedLogger('test', 'warn');
  const faults = new FaultSwitches('test', logger);
  faults.add(IDEMPOTENCY_SWITCH);
  const recorded = new Set<string>();
  const db = {
    collection: () => ({
      findOne: async ({ _id }: { _id: string }) => (recorded.has(_id) ? { _id } : null),
      insertOne: async ({ _id }: { _id: string }) => void recorded.add(_id),
    }),
  } as unknown as Db;
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const kafka = {
    run: async (config: { eachBatch: typeof eachBatch }) => {
      eachBatch = config.eachBatch;
    },
  } as unknown as Consumer;
  const handled: string[] = [];
  await runIdempotentConsumer({
    consumer: kafka,
    groupId: 'group',
    db,
    logger,
    faults,
    handle: async (e) => void handled.push(e.id),
  });
  let running = true;
  let heartbeats = 0;
  const resolved: string[] = [];
  const committed: string[] = [];
  /** Delivers one batch of order-events; resolves when eachBatch returns. */
  const deliver = (...ids: string[]) =>
    eachBatch!({
      batch: {
        topic: 'order-events',
        partition: 0,
        messages: ids.map((id, offset) => ({
          offset: String(offset),
          value: Buffer.from(JSON.stringify(event(id))),
        })),
      },
      resolveOffset: (offset: string) => void resolved.push(offset),
      heartbeat: async () => void heartbeats++,
      isRunning: () => running,
      isStale: () => false,
      // What kafkajs would commit: the offsets resolved since the last commit.
      uncommittedOffsets: () => resolved.slice(committed.length),
      commitOffsetsIfNecessary: async (offsets: string[]) => void committed.push(...offsets),
    } as unknown as EachBatchPayload);
  return {
    faults,
    handled,
    resolved,
    committed,
    deliver,
    heartbeats: () => heartbeats,
    stop: () => {
      running = false;
    },
  };
}

const pendingAfter = async (promise: Promise<unknown>, ms: number) =>
  (await Promise.race([
    promise.then(() => 'done'),
    new Promise((r) => setTimeout(() => r('pending'), ms)),
  ])) === 'pending';

describe('runIdempotentConsumer with the consumers fault switch', () => {
  it('when the switch is off, then each message is handled once, in order', async () => {
    const c = await consumer();
    await c.deliver('a', 'b');
    await c.deliver('a');
    expect(c.handled).toEqual(['a', 'b']);
    expect(c.resolved).toEqual(['0', '1', '0']);
    expect(c.committed).toEqual(['0', '1', '0']);
  });

  it('when the consumer is stalled, then no message is handled, its group keeps hearing from it, and once released every message is handled in order', async () => {
    const c = await consumer();
    c.faults.change({ consumers: { stalled: true } });
    const batch = c.deliver('a', 'b');
    expect(await pendingAfter(batch, 2 * STALL_CHECK_MS + 50)).toBe(true);
    expect(c.handled).toEqual([]);
    expect(c.resolved).toEqual([]);
    expect(c.heartbeats()).toBeGreaterThanOrEqual(2);
    c.faults.change({ consumers: { stalled: false } });
    await batch;
    expect(c.handled).toEqual(['a', 'b']);
    expect(c.resolved).toEqual(['0', '1']);
  });

  it('when another topic is stalled, then this one flows', async () => {
    const c = await consumer();
    c.faults.change({ consumers: { stalled: true, topics: ['user-events'] } });
    await c.deliver('a');
    expect(c.handled).toEqual(['a']);
  });

  it('when the service stops while stalled, then the batch ends within a check, its message unhandled and uncommitted', async () => {
    const c = await consumer();
    c.faults.change({ consumers: { stalled: true } });
    const batch = c.deliver('a');
    expect(await pendingAfter(batch, 50)).toBe(true);
    const stopping = Date.now();
    c.stop();
    await batch;
    expect(Date.now() - stopping).toBeLessThanOrEqual(STALL_CHECK_MS + 200);
    expect(c.handled).toEqual([]);
    expect(c.resolved).toEqual([]);
  });
});

describe('runIdempotentConsumer with the test-only idempotency switch', () => {
  it('when the switch turns the idempotency off, then a redelivered event is handled again under a fresh id, and nothing is committed', async () => {
    const c = await consumer();
    c.faults.change({ idempotency: { dedupe: false } });
    await c.deliver('a');
    await c.deliver('a');
    expect(c.handled).toHaveLength(2);
    expect(c.handled.every((id) => id.startsWith('a~'))).toBe(true);
    expect(new Set(c.handled).size).toBe(2);
    expect(c.committed).toEqual([]);
  });

  it('when the switch is back on, then events are deduplicated and committed again', async () => {
    const c = await consumer();
    c.faults.change({ idempotency: { dedupe: false } });
    c.faults.change({ idempotency: { dedupe: true } });
    await c.deliver('a');
    await c.deliver('a');
    expect(c.handled).toEqual(['a']);
    expect(c.committed).toEqual(['0', '0']);
  });
});
