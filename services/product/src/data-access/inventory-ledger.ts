import type { Collection, Db } from 'mongodb';
import { AppError, isDuplicateKey } from '@stackdrill/kit';

/**
 * One movement of stock. `_id` is `<productId>:<seq>`, so two writers that read the same last entry
 * cannot both append the next one: the second insert fails on the unique `_id` and retries. `ref`
 * is unique too: the same reservation or adjustment applied twice is applied once.
 */
export interface LedgerEntry {
  _id: string;
  productId: string;
  seq: number;
  delta: number;
  /** Stock after this entry; never negative. */
  balance: number;
  reason: string;
  ref: string;
  at: Date;
}

export class InsufficientStock extends Error {
  constructor(
    readonly productId: string,
    readonly available: number,
    readonly requested: number,
  ) {
    super(`product ${productId} has ${available} in stock, ${requested} requested`);
  }
}

const MAX_ATTEMPTS = 200;

/**
 * Stock as an append-only ledger with a unique sequence per product: correct under concurrency and
 * crashes without transactions or `$inc`, on MongoDB and FerretDB alike.
 */
export class InventoryLedger {
  readonly collection: Collection<LedgerEntry>;

  constructor(db: Db) {
    this.collection = db.collection<LedgerEntry>('inventory_ledger');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ ref: 1 }, { unique: true });
    await this.collection.createIndex({ productId: 1, seq: -1 });
  }

  async latest(productId: string): Promise<LedgerEntry | null> {
    return this.collection.find({ productId }).sort({ seq: -1 }).limit(1).next();
  }

  async stock(productId: string): Promise<number> {
    return (await this.latest(productId))?.balance ?? 0;
  }

  /**
   * Appends `delta` (compare-and-set on the next sequence number). Throws InsufficientStock when the
   * balance would go below zero. Applying the same `ref` again returns the entry it already made.
   */
  async append(productId: string, delta: number, reason: string, ref: string): Promise<LedgerEntry> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const last = await this.latest(productId);
      const balance = (last?.balance ?? 0) + delta;
      if (balance < 0) {
        const applied = await this.collection.findOne({ ref });
        if (applied) return applied;
        throw new InsufficientStock(productId, last?.balance ?? 0, -delta);
      }
      const seq = (last?.seq ?? 0) + 1;
      const entry: LedgerEntry = {
        _id: `${productId}:${seq}`,
        productId,
        seq,
        delta,
        balance,
        reason,
        ref,
        at: new Date(),
      };
      try {
        await this.collection.insertOne(entry);
        return entry;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const applied = await this.collection.findOne({ ref });
        if (applied) return applied; // this very movement was applied before (a retry)
        // Someone else took this sequence number: read the new last entry and try again.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 20)));
      }
    }
    throw new AppError(
      503,
      'INVENTORY_CONTENDED',
      `stock of ${productId} is changing too fast; retry`,
      undefined,
      1,
    );
  }

  /**
   * Reserves every line or none: lines are taken one by one; if one is short, the ones already
   * taken are released (idempotently, by ref) and InsufficientStock names the short product.
   */
  async reserve(reservation: string, lines: { productId: string; quantity: number }[]): Promise<void> {
    const taken: { productId: string; quantity: number }[] = [];
    try {
      for (const line of [...lines].sort((a, b) => a.productId.localeCompare(b.productId))) {
        await this.append(
          line.productId,
          -line.quantity,
          'reserve',
          `reserve:${reservation}:${line.productId}`,
        );
        taken.push(line);
      }
    } catch (error) {
      for (const line of taken) {
        await this.append(
          line.productId,
          line.quantity,
          'release',
          `release:${reservation}:${line.productId}`,
        );
      }
      throw error;
    }
  }

  /**
   * Gives back everything a reservation took (for an order that was never completed). Idempotent,
   * and the same refs as the roll-back in `reserve`, so a line is never given back twice.
   */
  async release(reservation: string): Promise<{ productId: string; quantity: number }[]> {
    // The refs that start with `reserve:<reservation>:`, as a range on the unique index (every
    // MongoDB answers a range from the index; the stand-in does not push a regex down).
    const prefix = `reserve:${reservation}:`;
    const taken = await this.collection
      .find({ ref: { $gte: prefix, $lt: `reserve:${reservation};` } })
      .toArray();
    for (const entry of taken) {
      await this.append(
        entry.productId,
        -entry.delta,
        'release',
        `release:${reservation}:${entry.productId}`,
      );
    }
    return taken.map((entry) => ({ productId: entry.productId, quantity: -entry.delta }));
  }
}
