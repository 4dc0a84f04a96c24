import type { Db } from 'mongodb';
import type { Producer } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { EventEnvelope } from './envelope.ts';
import { publishEvent } from './publish.ts';

/**
 * Events waiting to be published, stored in the same single-document write as the change they
 * describe, so no event is lost between the database and Kafka (there are no transactions to
 * lean on). The rule that keeps this safe on FerretDB, whose updates are read-modify-write: a
 * document that carries an outbox is written once by its service; afterwards only the relay
 * touches it (to set `sentAt`). State that changes later is appended as new documents.
 */
export interface Outbox {
  events: EventEnvelope[];
  sentAt: Date | null;
}

/**
 * `outboxPending` is a top-level marker present until the relay has sent the outbox: the relay finds
 * pending outboxes by an equality on an indexed scalar, which every MongoDB (and the stand-in) answers
 * from the index without reading the sent ones.
 */
export function withOutbox<T extends object>(
  doc: T,
  events: EventEnvelope[],
): T & { outbox: Outbox; outboxPending: true } {
  return { ...doc, outbox: { events, sentAt: null }, outboxPending: true };
}

export interface OutboxRelayOptions {
  db: Db;
  /** Collections whose documents may carry an outbox. */
  collections: string[];
  producer: Producer;
  logger: Logger;
  /** The pause after a pass that published something (default 200 ms). */
  intervalMs?: number;
  /** The longest pause after idle passes: the pause doubles up to it (default 5 s). */
  idleIntervalMs?: number;
  batchSize?: number;
  /** Called after a document's events are published, before it is marked sent (crash tests stop here). */
  afterPublish?: () => void;
}

/**
 * Polls for unsent outboxes, publishes their events (acks=all) and marks them sent. A crash between
 * publish and mark publishes again on restart: delivery is at-least-once and consumers deduplicate
 * on the event id. The service nudges the relay after each outbox write, so its own events go out at
 * once; the poll is for outboxes a crashed process left behind, and backs off while there are none
 * (on FerretDB each poll scans its collections, which an idle stack would otherwise pay for forever).
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private started = false;
  private nudged = false;
  private pause: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.pause = options.intervalMs ?? 200;
  }

  async ensureIndexes(): Promise<void> {
    for (const name of this.options.collections)
      await this.options.db.collection(name).createIndex({ outboxPending: 1 });
  }

  /** One pass over every collection; returns how many events were published. */
  async relayOnce(): Promise<number> {
    let published = 0;
    for (const name of this.options.collections) {
      const collection = this.options.db.collection(name);
      const pending = await collection
        .find({ outboxPending: true })
        .limit(this.options.batchSize ?? 100)
        .toArray();
      for (const doc of pending) {
        const outbox = doc.outbox as Outbox;
        for (const event of outbox.events) {
          await publishEvent(this.options.producer, event);
          published++;
        }
        this.options.afterPublish?.();
        await collection.updateOne(
          { _id: doc._id, outboxPending: true },
          { $set: { 'outbox.sentAt': new Date() }, $unset: { outboxPending: '' } },
        );
      }
    }
    return published;
  }

  start(): void {
    this.started = true;
    this.pass();
  }

  /** An outbox was just written: relay it now (or right after the pass in progress). */
  nudge(): void {
    if (!this.started || this.stopped) return;
    if (this.running) this.nudged = true;
    else {
      clearTimeout(this.timer);
      this.pass();
    }
  }

  private pass(): void {
    const busy = this.options.intervalMs ?? 200;
    this.running = this.relayOnce()
      .then((published) => {
        this.pause = published > 0 ? busy : Math.min(this.pause * 2, this.options.idleIntervalMs ?? 5000);
      })
      .catch((error: unknown) => {
        this.pause = busy;
        this.options.logger.warn({ err: error }, 'outbox relay pass failed; retrying');
      })
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const again = this.nudged;
        this.nudged = false;
        this.timer = setTimeout(() => this.pass(), again ? 0 : this.pause);
      });
  }

  /** Stops polling and waits for the pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
