import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@stackdrill/kit';

/**
 * One counted thing, inserted once: `_id` is the event id (or `<event id>:<product>` for an order
 * line), so a redelivered event is never counted twice. Time buckets are stored with the fact because
 * FerretDB has no date operators to compute them in a query.
 */
export interface Fact {
  _id: string;
  type: string;
  at: Date;
  hour: string;
  day: string;
  orderId?: string;
  userId?: string;
  productId?: string;
  name?: string;
  quantity?: number;
  revenueCents?: number;
}

export class FactStore {
  readonly facts: Collection<Fact>;

  constructor(db: Db) {
    this.facts = db.collection<Fact>('facts');
  }

  async ensureIndexes(): Promise<void> {
    await this.facts.createIndex({ type: 1, at: 1 });
    await this.facts.createIndex({ type: 1, productId: 1 });
  }

  /** True when this call recorded the fact (false: it was recorded before). */
  async record(fact: Fact): Promise<boolean> {
    try {
      await this.facts.insertOne(fact);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  count(type: string, from: Date, to: Date): Promise<number> {
    return this.facts.countDocuments({ type, at: { $gte: from, $lt: to } });
  }

  async sum(type: string, field: 'revenueCents' | 'quantity', from: Date, to: Date): Promise<number> {
    const [row] = await this.facts
      .aggregate<{ total: number }>([
        { $match: { type, at: { $gte: from, $lt: to } } },
        { $group: { _id: null, total: { $sum: `$${field}` } } },
      ])
      .toArray();
    return row?.total ?? 0;
  }

  /**
   * One sum per group key. Each pipeline has a single accumulator: FerretDB 1.24 computes only the
   * first accumulator of a `$group` (the others come back 0), and this stays correct on MongoDB too.
   */
  private async sumBy(match: object, key: string, value: 1 | string): Promise<Map<string, number>> {
    const rows = await this.facts
      .aggregate<{ _id: string; total: number }>([
        { $match: match },
        { $group: { _id: key, total: { $sum: value } } },
      ])
      .toArray();
    return new Map(rows.map((r) => [r._id, r.total]));
  }

  /** Counts and revenue per hour or day bucket, in time order. */
  async byBucket(type: string, bucket: 'hour' | 'day', from: Date, to: Date) {
    const match = { type, at: { $gte: from, $lt: to } };
    const [counts, revenue] = await Promise.all([
      this.sumBy(match, `$${bucket}`, 1),
      this.sumBy(match, `$${bucket}`, '$revenueCents'),
    ]);
    return [...counts.keys()]
      .sort()
      .map((k) => ({ bucket: k, count: counts.get(k)!, revenueCents: revenue.get(k) ?? 0 }));
  }

  /** Products by units ordered (then by id), with their revenue. */
  async topProducts(from: Date, to: Date, limit: number) {
    const match = { type: 'order.line', at: { $gte: from, $lt: to } };
    const [units, revenue] = await Promise.all([
      this.sumBy(match, '$productId', '$quantity'),
      this.sumBy(match, '$productId', '$revenueCents'),
    ]);
    return [...units.entries()]
      .sort(([a, ua], [b, ub]) => ub - ua || a.localeCompare(b))
      .slice(0, limit)
      .map(([productId, u]) => ({ productId, units: u, revenueCents: revenue.get(productId) ?? 0 }));
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
