import type { Collection, Db } from 'mongodb';
import { afterTimePosition, insertOnce, type Outbox, type TimePosition } from '@stackdrill/kit';

export interface OrderLine {
  productId: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
}

/** Written once, with `order.placed` in its outbox; never updated by the service afterwards. */
export interface OrderDocument {
  _id: string;
  userId: string;
  lines: OrderLine[];
  totalCents: number;
  createdAt: Date;
  outbox?: Outbox;
}

/**
 * A state change, appended (never updated). `_id` makes each change happen once: `<order>:paid` can
 * exist once, `<order>:failed:<attempt>` once per payment attempt.
 */
export interface StatusDocument {
  _id: string;
  orderId: string;
  status: 'paid' | 'payment_failed';
  reason?: string;
  at: Date;
  outbox?: Outbox;
}

/** A request claimed by its idempotency key, with the answer it got once it finished. */
export interface RequestClaim {
  _id: string;
  hash: string;
  orderId: string;
  createdAt: Date;
  outcome?: { status: number; body: unknown };
  /**
   * Present until the request has an outcome, so that the sweeper finds unanswered requests by an
   * indexed equality instead of reading every answered one.
   */
  open?: true;
  /** Set by the sweeper when the request was given up (no outcome long after it was claimed). */
  abandonedAt?: Date;
  /** Set by the sweeper once the given-up request's reservation was released (or its order kept). */
  sweptAt?: Date;
}

export type OrderStatus = 'placed' | 'paid' | 'payment_failed';

export class OrderStore {
  readonly orders: Collection<OrderDocument>;
  readonly statuses: Collection<StatusDocument>;
  readonly orderRequests: Collection<RequestClaim>;
  readonly paymentRequests: Collection<RequestClaim>;

  constructor(db: Db) {
    this.orders = db.collection<OrderDocument>('orders');
    this.statuses = db.collection<StatusDocument>('order_status');
    this.orderRequests = db.collection<RequestClaim>('order_requests');
    this.paymentRequests = db.collection<RequestClaim>('payment_requests');
  }

  async ensureIndexes(): Promise<void> {
    await this.orders.createIndex({ userId: 1, createdAt: -1 });
    await this.statuses.createIndex({ orderId: 1 });
    await this.orderRequests.createIndex({ open: 1, createdAt: 1 });
    await this.orderRequests.createIndex({ abandonedAt: 1 });
  }

  /** Order requests claimed before `cutoff` that never got an answer (their process died mid-way). */
  unansweredBefore(cutoff: Date, limit = 100): Promise<RequestClaim[]> {
    return this.orderRequests
      .find({ open: true, outcome: { $exists: false }, createdAt: { $lt: cutoff } })
      .limit(limit)
      .toArray();
  }

  /** Gives a request up: from now on a retry with its key gets this outcome instead of resuming it. */
  async abandon(id: string, outcome: { status: number; body: unknown }, at: Date): Promise<void> {
    await this.orderRequests.updateOne(
      { _id: id, outcome: { $exists: false } },
      { $set: { outcome, abandonedAt: at }, $unset: { open: '' } },
    );
  }

  /** Requests given up before `cutoff` whose reservation has not been dealt with yet. */
  abandonedBefore(cutoff: Date, limit = 100): Promise<RequestClaim[]> {
    return this.orderRequests
      .find({ abandonedAt: { $lt: cutoff }, sweptAt: { $exists: false } })
      .limit(limit)
      .toArray();
  }

  async markSwept(id: string, at: Date, outcome?: { status: number; body: unknown }): Promise<void> {
    await this.orderRequests.updateOne(
      { _id: id },
      { $set: { sweptAt: at, ...(outcome ? { outcome } : {}) } },
    );
  }

  /** Claims a request key; returns the existing claim when the key was used before. */
  async claim(collection: Collection<RequestClaim>, claim: RequestClaim): Promise<RequestClaim | undefined> {
    if (await insertOnce(collection, { ...claim, open: true })) return undefined;
    return (await collection.findOne({ _id: claim._id })) ?? undefined;
  }

  /** Records the answer a claimed request got; only that request's own path writes it. */
  async settle(
    collection: Collection<RequestClaim>,
    id: string,
    outcome: { status: number; body: unknown },
  ): Promise<void> {
    await collection.updateOne({ _id: id }, { $set: { outcome }, $unset: { open: '' } });
  }

  insertOrder(order: OrderDocument): Promise<boolean> {
    return insertOnce(this.orders, order);
  }

  appendStatus(status: StatusDocument): Promise<boolean> {
    return insertOnce(this.statuses, status);
  }

  findOrder(id: string): Promise<OrderDocument | null> {
    return this.orders.findOne({ _id: id });
  }

  async statusOf(orderIds: string[]): Promise<Map<string, OrderStatus>> {
    const result = new Map<string, OrderStatus>(orderIds.map((id) => [id, 'placed']));
    for (const s of await this.statuses.find({ orderId: { $in: orderIds } }).toArray()) {
      // Paid is final; a failed attempt only shows while no payment succeeded.
      if (s.status === 'paid' || result.get(s.orderId) !== 'paid') result.set(s.orderId, s.status);
    }
    return result;
  }

  /** The user's orders, newest first, after the given (createdAt, id) position. */
  async listForUser(userId: string, limit: number, after?: TimePosition): Promise<OrderDocument[]> {
    const filter = after ? { userId, ...afterTimePosition(after) } : { userId };
    return this.orders
      .find(filter)
      .sort({ createdAt: -1, _id: 1 })
      .limit(limit + 1)
      .toArray();
  }
}
