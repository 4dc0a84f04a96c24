import type { Consumer } from 'kafkajs';
import type { Db } from 'mongodb';
import { isDuplicateKey } from '../clients/mongo.ts';
import type { Logger } from '../logger.ts';
import type { EventEnvelope } from './envelope.ts';
import { withEventSpan } from '../tracing.ts';

/**
 * An idempotent consumer. Kafka delivers at least once (and the outbox may publish twice), so each
 * handled event is recorded by a unique-key insert `<group>:<event id>`; an event already recorded
 * is skipped. The handler's own writes must be idempotent too (keyed by the event id), which covers
 * a crash after the handler ran but before the record was written.
 */
export async function runIdempotentConsumer(options: {
  consumer: Consumer;
  groupId: string;
  db: Db;
  logger: Logger;
  handle: (event: EventEnvelope) => Promise<void>;
  /**
   * Events whose handling needs no dedupe record (approximate live counters of views): recording
   * two database writes per view would cost more than the view itself.
   */
  unrecorded?: (event: EventEnvelope) => boolean;
}): Promise<void> {
  const processed = options.db.collection<{ _id: string; at: Date }>('processed_events');
  await options.consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      let event: EventEnvelope;
      try {
        event = JSON.parse(message.value?.toString() ?? '') as EventEnvelope;
      } catch {
        options.logger.error(
          { topic, partition, offset: message.offset },
          'skipping a message that is not an event envelope',
        );
        return;
      }
      await withEventSpan(options.groupId, event, async () => {
        if (options.unrecorded?.(event)) return options.handle(event);
        await handleOnce(event);
      });
    },
  });

  async function handleOnce(event: EventEnvelope): Promise<void> {
    const key = `${options.groupId}:${event.id}`;
    if (await processed.findOne({ _id: key })) return;
    await options.handle(event);
    try {
      await processed.insertOne({ _id: key, at: new Date() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
}
