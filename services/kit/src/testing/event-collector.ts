import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import type { EventEnvelope } from '../events/envelope.ts';

export interface EventCollector {
  /** Matching envelopes, in arrival order. */
  readonly events: EventEnvelope[];
  /** Resolves once `done(events)` holds, or after `timeoutMs` (then the test's own assertion fails). */
  until(done: (events: EventEnvelope[]) => boolean, timeoutMs?: number): Promise<EventEnvelope[]>;
  stop(): Promise<void>;
}

/**
 * For tests: reads a topic from the beginning in a consumer group of its own and keeps the envelopes
 * that match. Other tests put other messages on the same topics; anything that is not an envelope is
 * skipped, never retried (a poison message must not stall the reader).
 */
export async function collectEvents(
  brokers: string[],
  topic: string,
  match: (event: EventEnvelope) => boolean,
): Promise<EventCollector> {
  const kafka = new Kafka({ clientId: 'event-collector', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `collector-${randomUUID()}` });
  const events: EventEnvelope[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      let event: EventEnvelope;
      try {
        event = JSON.parse(message.value?.toString() ?? '') as EventEnvelope;
      } catch {
        return;
      }
      if (match(event)) events.push(event);
    },
  });
  return {
    events,
    async until(done, timeoutMs = 45_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(events) && Date.now() < deadline) await sleep(100);
      return events;
    },
    stop: () => consumer.disconnect(),
  };
}
