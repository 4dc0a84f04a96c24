import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from 'kafkajs';
import type { Db } from 'mongodb';

/**
 * For tests of idempotent consumers: a positive signal that everything published before a point has
 * been handled, instead of a sleep. A marker (an envelope of a type no service handles) is published
 * with the same key as the events under test, so it lands on their partition, behind them; the
 * consumer records every event it handles in `processed_events`, so once the marker's record is
 * there, every event before it on that partition was handled.
 */
export async function consumedMarker(
  producer: Producer,
  consumer: { db: Db; groupId: string },
  topic: string,
  subject: string,
  timeoutMs = 30_000,
): Promise<void> {
  const id = randomUUID();
  const marker = {
    id,
    type: 'test.marker',
    source: 'test',
    subject,
    time: new Date().toISOString(),
    data: {},
  };
  await producer.send({ topic, acks: -1, messages: [{ key: subject, value: JSON.stringify(marker) }] });
  const processed = consumer.db.collection<{ _id: string }>('processed_events');
  const deadline = Date.now() + timeoutMs;
  while (!(await processed.findOne({ _id: `${consumer.groupId}:${id}` }))) {
    if (Date.now() > deadline)
      throw new Error(
        `the consumer group ${consumer.groupId} did not handle a marker on ${topic} in ${timeoutMs} ms`,
      );
    await sleep(100);
  }
}
