import type { Producer } from 'kafkajs';
import { withProducerSpan } from '../client-spans.ts';
import { topicOf, type EventEnvelope } from './envelope.ts';

/**
 * Publishes one event to its catalogue topic, keyed by its subject (per-aggregate order), waiting for
 * every in-sync replica (acks=all). The outbox relay and direct publishers both go through here.
 */
export async function publishEvent(producer: Producer, event: EventEnvelope): Promise<void> {
  const topic = topicOf(event);
  await withProducerSpan(topic, event, () =>
    producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: event.subject,
          value: JSON.stringify(event),
          headers: {
            'event-id': event.id,
            'event-type': event.type,
            ...(event.traceparent ? { traceparent: event.traceparent } : {}),
          },
        },
      ],
    }),
  );
}
