import { setTimeout as sleep } from 'node:timers/promises';
import type { Collection, Db } from 'mongodb';
import { isDuplicateKey } from '@stackdrill/kit';
import type { OrderFaults } from './faults.ts';

interface ChargeRecord {
  /** `<order>:succeeded` (at most one per order) or `<order>:failed:<attempt>`. */
  _id: string;
  orderId: string;
  attempt: string;
  amountCents: number;
  ok: boolean;
  reason?: string;
  at: Date;
}

export type ChargeResult = { ok: true; chargeId: string } | { ok: false; reason: string };

/**
 * A stand-in payment provider, the way real ones behave: an order is charged at most once, and
 * replaying an attempt returns that attempt's result. Both rest on unique inserts: `<order>:succeeded`
 * can exist once. Declines and latency come from the fault switches.
 */
export class SimulatedPaymentProvider {
  readonly charges: Collection<ChargeRecord>;

  constructor(
    db: Db,
    private readonly faults: Pick<OrderFaults, 'payment'>,
    private readonly random: () => number = Math.random,
  ) {
    this.charges = db.collection<ChargeRecord>('provider_charges');
  }

  async charge(orderId: string, attempt: string, amountCents: number): Promise<ChargeResult> {
    const { latencyMs, failureRate } = this.faults.payment;
    if (latencyMs > 0) await sleep(latencyMs);
    const succeeded = await this.charges.findOne({ _id: `${orderId}:succeeded` });
    if (succeeded) return { ok: true, chargeId: succeeded._id };
    const failed = await this.charges.findOne({ _id: `${orderId}:failed:${attempt}` });
    if (failed) return { ok: false, reason: failed.reason ?? 'declined' };

    const base = { orderId, attempt, amountCents, at: new Date() };
    if (this.random() < failureRate) {
      const reason = 'the card was declined (simulated)';
      await this.insertOnce({ _id: `${orderId}:failed:${attempt}`, ...base, ok: false, reason });
      return { ok: false, reason };
    }
    await this.insertOnce({ _id: `${orderId}:succeeded`, ...base, ok: true });
    return { ok: true, chargeId: `${orderId}:succeeded` };
  }

  private async insertOnce(record: ChargeRecord): Promise<void> {
    try {
      await this.charges.insertOne(record);
    } catch (error) {
      // Another attempt for the same order got there first: its charge stands, ours is not made.
      if (!isDuplicateKey(error)) throw error;
    }
  }
}
