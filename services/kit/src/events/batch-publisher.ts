import type { Producer } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { topicOf, type EventEnvelope } from './envelope.ts';

export interface BatchPublisherOptions {
  producer: Producer;
  logger: Logger;
  /** How often the buffer is sent. */
  intervalMs?: number;
  /** The most events kept waiting; beyond it new events are dropped (and counted). */
  maxBuffered?: number;
}

/**
 * For high-rate events that record no state (views): buffered in memory and sent together every
 * `intervalMs`, one request per flush instead of one per event, and bounded, so a burst can never
 * grow an unbounded queue of sends behind the requests that caused them. Best effort by design:
 * what is buffered when the process dies is lost, and overflow is dropped and counted.
 */
export class BatchPublisher {
  private buffer: EventEnvelope[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  dropped = 0;

  constructor(private readonly options: BatchPublisherOptions) {}

  publish(event: EventEnvelope): void {
    if (this.buffer.length >= (this.options.maxBuffered ?? 10_000)) {
      this.dropped++;
      return;
    }
    this.buffer.push(event);
    this.timer ??= setTimeout(() => void this.flush(), this.options.intervalMs ?? 100);
  }

  /** Sends what is buffered (also on close). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return this.flushing;
    const byTopic = new Map<string, EventEnvelope[]>();
    for (const event of batch) byTopic.set(topicOf(event), [...(byTopic.get(topicOf(event)) ?? []), event]);
    this.flushing = this.flushing
      .then(() =>
        this.options.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, events]) => ({
            topic,
            messages: events.map((e) => ({
              key: e.subject,
              value: JSON.stringify(e),
              headers: { 'event-id': e.id, 'event-type': e.type },
            })),
          })),
        }),
      )
      .then(() => undefined)
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error, events: batch.length }, 'batched events not published'),
      );
    return this.flushing;
  }
}
