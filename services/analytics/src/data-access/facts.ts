import type { Collection, Db } from 'mongodb';
import { insertOnce } from '@stackdrill/kit';
import { floorMinute, MINUTE_MS, minuteKey } from './buckets.ts';

/**
 * One counted thing, inserted once: `_id` is the event id (or `<event id>:<product>` for an order
 * line), so a redelivered event is never counted twice. (Facts recorded before rollups existed also
 * carry `hour` and `day`; nothing reads them.)
 */
export interface Fact {
  _id: string;
  type: string;
  at: Date;
  orderId?: string;
  userId?: string;
  productId?: string;
  name?: string;
  quantity?: number;
  revenueCents?: number;
  /** When this service recorded it, by its own clock. */
  recordedAt?: Date;
  /** Only on a fact recorded late (see LATE_AFTER_MS): the minute of `at`, which rollups leave to the fact itself. */
  lateMinute?: string;
}

/**
 * A fact recorded more than this after its minute ended is late: the minute's rollup (made
 * ROLL_AFTER_MS after it ends) does not count it, and every read adds it from the fact itself.
 */
export const LATE_AFTER_MS = 60_000;

/** The fields a tally reads. */
const COUNTED = { type: 1, at: 1, revenueCents: 1, productId: 1, quantity: 1, lateMinute: 1 } as const;

export type CountedFactRow = Pick<
  Fact,
  '_id' | 'type' | 'at' | 'revenueCents' | 'productId' | 'quantity' | 'lateMinute'
>;

export class FactStore {
  readonly facts: Collection<Fact>;

  /** `clock` is when a fact is recorded (a test sets it). */
  constructor(
    db: Db,
    private readonly clock: () => number = Date.now,
  ) {
    this.facts = db.collection<Fact>('facts');
  }

  async ensureIndexes(): Promise<void> {
    await this.facts.createIndex({ type: 1, at: 1 });
    await this.facts.createIndex({ type: 1, productId: 1 });
    await this.facts.createIndex({ at: 1 });
    await this.facts.createIndex({ lateMinute: 1 });
  }

  /** True when this call recorded the fact (false: it was recorded before). */
  async record(fact: Fact): Promise<boolean> {
    const recordedAt = this.clock();
    const late = recordedAt >= floorMinute(fact.at.getTime()) + MINUTE_MS + LATE_AFTER_MS;
    return insertOnce(this.facts, {
      ...fact,
      recordedAt: new Date(recordedAt),
      ...(late ? { lateMinute: minuteKey(fact.at) } : {}),
    });
  }

  /** Every fact dated in [from, to) (from the first when `from` is absent), as a tally reads it. */
  between(from: number | undefined, to: number): AsyncIterable<CountedFactRow> {
    const at = from === undefined ? { $lt: new Date(to) } : { $gte: new Date(from), $lt: new Date(to) };
    return this.facts.find({ at }, { projection: COUNTED });
  }

  /** The late facts dated in the minutes [from, to). */
  lateBetween(from: number, to: number): AsyncIterable<CountedFactRow> {
    return this.facts.find(
      { lateMinute: { $gte: minuteKey(from), $lt: minuteKey(to) } },
      { projection: COUNTED },
    );
  }

  /** The latest facts of a type in the range, newest first. */
  latest(type: string, from: Date, to: Date, limit: number): Promise<Fact[]> {
    return this.facts
      .find({ type, at: { $gte: from, $lt: to } })
      .sort({ at: -1 })
      .limit(limit)
      .toArray();
  }

  /** One line per product is enough for its name: one indexed lookup each, not every line ever sold. */
  async productNames(ids: string[]): Promise<Map<string, string>> {
    const lines = await Promise.all(
      ids.map((productId) =>
        this.facts.findOne({ type: 'order.line', productId }, { projection: { productId: 1, name: 1 } }),
      ),
    );
    return new Map(lines.flatMap((l) => (l ? [[l.productId!, l.name ?? ''] as const] : [])));
  }
}
