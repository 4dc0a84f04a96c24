import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import type { Db } from 'mongodb';
import { isDuplicateKey } from '../clients/mongo.ts';
import type { FaultSwitches } from '../faults/catalogue.ts';
import type { Logger } from '../logger.ts';
import type { EventEnvelope } from './envelope.ts';
import { withEventSpan } from '../tracing.ts';

/**
 * An idempotent consumer. Kafka delivers at least once (and the outbox may publish twice), so each
 * handled event is recorded by a unique-key insert `<group>:<event id>`; an event already recorded
 * is skipped. The handler's own writes must be idempotent too (keyed by the event id), which covers
 * a crash after the handler ran but before the record was written. While the service's
 * `consumers` fault switch stalls a topic, each of its messages waits before it is handled
 * (FaultSwitches.whileStalled); a consumer that stops meanwhile leaves the message unhandled and
 * uncommitted, for the next one. Offsets are committed at the end of each batch (kafkajs's own
 * default, done here so the test-only `idempotency` switch can withhold them).
 */
export async function runIdempotentConsumer(options: {
  consumer: Consumer;
  groupId: string;
  db: Db;
  logger: Logger;
  /** The service's fault switches (ServiceRuntime.faults): the `consumers` switch stalls this consumer. */
  faults: FaultSwitches;
  handle: (event: EventEnvelope) => Promise<void>;
  /**
   * Events that need no dedupe record and are handled in bulk (approximate live counters of views):
   * two database writes and a Redis round trip per view would cost more than the view itself. They
   * are collected while a fetched batch is read and handed over together, before the next recorded
   * event, so offsets are still committed in order.
   */
  unrecorded?: {
    matches: (event: EventEnvelope) => boolean;
    handleAll: (events: EventEnvelope[]) => Promise<void>;
  };
}): Promise<void> {
  const processed = options.db.collection<{ _id: string; at: Date }>('processed_events');
  const { unrecorded } = options;
  await options.consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: false,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      isRunning,
      isStale,
      commitOffsetsIfNecessary,
      uncommittedOffsets,
    }) => {
      let pending: EventEnvelope[] = [];
      let pendingOffset: string | undefined;
      const flush = async () => {
        if (!pendingOffset) return;
        const events = pending;
        await withEventSpan(options.groupId, { type: `${events.length} × ${events[0]?.type}` }, () =>
          unrecorded!.handleAll(events),
        );
        resolveOffset(pendingOffset);
        pending = [];
        pendingOffset = undefined;
      };
      const running = () => isRunning() && !isStale();
      for (const message of batch.messages) {
        if (!running()) break;
        if (!(await options.faults.whileStalled(batch.topic, { isRunning: running, heartbeat }))) break;
        const event = parse(batch.topic, batch.partition, message.offset, message.value);
        if (event && unrecorded?.matches(event)) {
          pending.push(event);
          pendingOffset = message.offset;
          continue;
        }
        await flush();
        if (event) await withEventSpan(options.groupId, event, () => handleOnce(event));
        resolveOffset(message.offset);
        await heartbeat();
      }
      await flush();
      // Test only: a consumer without idempotency commits nothing, so a crash redelivers.
      if (options.faults.idempotency.dedupe) await commitOffsetsIfNecessary(uncommittedOffsets());
    },
  });

  function parse(topic: string, partition: number, offset: string, value: Buffer | null) {
    try {
      return JSON.parse(value?.toString() ?? '') as EventEnvelope;
    } catch {
      options.logger.error({ topic, partition, offset }, 'skipping a message that is not an event envelope');
      return undefined;
    }
  }

  async function handleOnce(event: EventEnvelope): Promise<void> {
    // Test only (the `idempotency` switch): every delivery handled as new, under a fresh id.
    if (!options.faults.idempotency.dedupe)
      return options.handle({ ...event, id: `${event.id}~${randomUUID()}` });
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
