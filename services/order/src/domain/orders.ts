import { createHash, randomUUID } from 'node:crypto';
import {
  AppError,
  decodeTimeCursor,
  encodeTimeCursor,
  newEvent,
  withOutbox,
  type Principal,
} from '@stackdrill/kit';
import type {
  OrderDocument,
  OrderLine,
  OrderStatus,
  OrderStore,
  RequestClaim,
} from '../data-access/order-store.ts';
import type { ProductClient } from '../data-access/product-client.ts';
import type { SimulatedPaymentProvider } from './payment-provider.ts';

export interface OrderView {
  id: string;
  userId: string;
  lines: OrderLine[];
  totalCents: number;
  status: OrderStatus;
  createdAt: string;
}

export interface Outcome {
  status: number;
  body: unknown;
}

export interface OrderDomainDeps {
  store: OrderStore;
  products: ProductClient;
  payments: SimulatedPaymentProvider;
  source: string;
  /** Called after an outbox is written, so the relay publishes it now rather than at its next poll. */
  outboxWritten?: () => void;
}

const hashOf = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

const view = (order: OrderDocument, status: OrderStatus): OrderView => ({
  id: order._id,
  userId: order.userId,
  lines: order.lines,
  totalCents: order.totalCents,
  status,
  createdAt: order.createdAt.toISOString(),
});

/** An answer stored with its request: a replay gets exactly the same answer, errors included. */
function replay(claim: RequestClaim): Outcome {
  const outcome = claim.outcome!;
  if (outcome.status >= 400) {
    const body = outcome.body as { code: string; message: string; details?: unknown };
    throw new AppError(outcome.status, body.code, body.message, body.details);
  }
  return outcome;
}

/**
 * Orders without transactions. Placement: claim the Idempotency-Key (unique insert), reserve every
 * line or none in the product service (by the order id, so a retry is harmless), insert the order
 * with `order.placed` in its outbox. Any step can crash: the same request again resumes with the same
 * order id. Payment: claim the attempt, charge through the provider (at most one success per order),
 * append the outcome with its event.
 */
export class OrderDomain {
  constructor(private readonly deps: OrderDomainDeps) {}

  async place(
    principal: Principal,
    key: string,
    lines: { productId: string; quantity: number }[],
  ): Promise<Outcome> {
    const { store } = this.deps;
    const claimId = `${principal.userId}:${key}`;
    const claim: RequestClaim = {
      _id: claimId,
      hash: hashOf(lines),
      orderId: randomUUID(),
      createdAt: new Date(),
    };
    const existing = await store.claim(store.orderRequests, claim);
    if (existing && existing.hash !== claim.hash) {
      throw new AppError(
        409,
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used for a different order; use a new key',
      );
    }
    if (existing?.outcome) return replay(existing);
    const orderId = existing?.orderId ?? claim.orderId;

    let priced: OrderLine[];
    try {
      priced = await this.deps.products.reserve(orderId, lines);
    } catch (error) {
      // Refused lines (short of stock, unknown product) are the request's answer: a replay gets it too.
      if (error instanceof AppError && error.status === 409) {
        await store.settle(store.orderRequests, claimId, {
          status: error.status,
          // Without `details` when there are none: Mongo would keep an undefined one as null.
          body: {
            code: error.code,
            message: error.message,
            ...(error.details === undefined ? {} : { details: error.details }),
          },
        });
      }
      throw error;
    }
    const order: OrderDocument = {
      _id: orderId,
      userId: principal.userId,
      lines: priced,
      totalCents: priced.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0),
      createdAt: existing?.createdAt ?? claim.createdAt,
    };
    const placed = newEvent('order.placed', this.deps.source, orderId, {
      orderId,
      userId: order.userId,
      lines: order.lines,
      totalCents: order.totalCents,
    });
    await store.insertOrder(withOutbox(order, [placed]));
    this.deps.outboxWritten?.();
    const stored = (await store.findOrder(orderId))!;
    const outcome = { status: 201, body: view(stored, 'placed') };
    await store.settle(store.orderRequests, claimId, outcome);
    return outcome;
  }

  async get(principal: Principal, id: string): Promise<OrderView> {
    const order = await this.deps.store.findOrder(id);
    // Someone else's order is "not found": its existence is not the caller's business.
    if (!order || (order.userId !== principal.userId && principal.role !== 'admin'))
      throw AppError.notFound(`order ${id}`);
    return view(order, (await this.deps.store.statusOf([id])).get(id)!);
  }

  async listMine(
    principal: Principal,
    limit: number,
    cursor?: string,
  ): Promise<{ items: OrderView[]; nextCursor: string | null }> {
    const after = cursor ? decodeTimeCursor(cursor) : undefined;
    const docs = await this.deps.store.listForUser(principal.userId, limit, after);
    const page = docs.slice(0, limit);
    const statuses = await this.deps.store.statusOf(page.map((o) => o._id));
    const last = page.at(-1);
    return {
      items: page.map((o) => view(o, statuses.get(o._id)!)),
      nextCursor:
        docs.length > limit && last ? encodeTimeCursor({ createdAt: last.createdAt, id: last._id }) : null,
    };
  }

  async pay(principal: Principal, orderId: string, key: string): Promise<Outcome> {
    const { store } = this.deps;
    const order = await store.findOrder(orderId);
    if (!order || order.userId !== principal.userId) throw AppError.notFound(`order ${orderId}`);
    const claimId = `${orderId}:${key}`;
    const existing = await store.claim(store.paymentRequests, {
      _id: claimId,
      hash: '',
      orderId,
      createdAt: new Date(),
    });
    if (existing?.outcome) return replay(existing);

    const result = await this.deps.payments.charge(orderId, key, order.totalCents);
    if (result.ok) {
      const paid = newEvent('order.paid', this.deps.source, orderId, {
        orderId,
        userId: order.userId,
        totalCents: order.totalCents,
      });
      await store.appendStatus(
        withOutbox({ _id: `${orderId}:paid`, orderId, status: 'paid' as const, at: new Date() }, [paid]),
      );
      this.deps.outboxWritten?.();
      const outcome = { status: 200, body: { orderId, status: 'paid', chargeId: result.chargeId } };
      await store.settle(store.paymentRequests, claimId, outcome);
      return outcome;
    }
    const failed = newEvent('order.payment_failed', this.deps.source, orderId, {
      orderId,
      userId: order.userId,
      reason: result.reason,
    });
    await store.appendStatus(
      withOutbox(
        {
          _id: `${orderId}:failed:${key}`,
          orderId,
          status: 'payment_failed' as const,
          reason: result.reason,
          at: new Date(),
        },
        [failed],
      ),
    );
    this.deps.outboxWritten?.();
    const body = {
      code: 'PAYMENT_FAILED',
      message: `${result.reason}; pay again with a new Idempotency-Key`,
      details: { orderId },
    };
    await store.settle(store.paymentRequests, claimId, { status: 402, body });
    throw new AppError(402, body.code, body.message, body.details);
  }

  /**
   * Gives back the stock of orders that were never completed: a process that died between
   * reserving and storing the order, for a client that never retried its key. Two passes, so no
   * request can still be working on a claim when its stock is released: first requests unanswered
   * for `timeoutMs` are given up (a retry now gets ORDER_ABANDONED instead of resuming); then, once
   * `graceMs` has passed (longer than any request can run), the order is kept if a last retry did
   * store it, and otherwise its reservation is released. Every step is idempotent.
   */
  async sweepAbandoned(
    now: Date,
    timeoutMs: number,
    graceMs: number,
  ): Promise<{ abandoned: number; released: number }> {
    const { store } = this.deps;
    const unanswered = await store.unansweredBefore(new Date(now.getTime() - timeoutMs));
    for (const claim of unanswered) {
      const body = {
        code: 'ORDER_ABANDONED',
        message:
          'this order was not completed in time and was given up; place it again with a new Idempotency-Key',
        details: { orderId: claim.orderId },
      };
      await store.abandon(claim._id, { status: 409, body }, now);
    }
    let released = 0;
    for (const claim of await store.abandonedBefore(new Date(now.getTime() - graceMs))) {
      const order = await store.findOrder(claim.orderId);
      if (order) {
        const status = (await store.statusOf([order._id])).get(order._id)!;
        await store.markSwept(claim._id, now, { status: 201, body: view(order, status) });
        continue;
      }
      await this.deps.products.release(claim.orderId);
      await store.markSwept(claim._id, now);
      released++;
    }
    return { abandoned: unanswered.length, released };
  }
}
