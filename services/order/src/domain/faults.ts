import { defineFaultSwitch, mergeGiven, type FaultSwitch } from '@stackdrill/kit';
import { z } from 'zod';

/**
 * The order service's own fault switch, beside the kit's (`routes`, `consumers`): the simulated
 * payment provider's declines and latency. Set at boot from the config (PAYMENT_FAILURE_RATE,
 * PAYMENT_LATENCY_MS) and changed at run time through `/internal/faults` like every switch.
 */
export interface PaymentFaults {
  /** Share of charges declined, 0 to 1. */
  failureRate: number;
  /** Added to every charge, in milliseconds. */
  latencyMs: number;
}

export const PAYMENT_SWITCH = defineFaultSwitch<PaymentFaults, Partial<PaymentFaults>>({
  name: 'payment',
  scope: 'order',
  description:
    'The simulated payment provider declines a share of charges (`POST /api/orders/:id/payment` answers 402 `PAYMENT_FAILED`, and `order.payment_failed` is emitted) and takes longer for each. A change keeps the fields it does not give. Its boot value comes from `PAYMENT_FAILURE_RATE` and `PAYMENT_LATENCY_MS`; off is 0 and 0.',
  fields: {
    failureRate: 'share of charges declined, 0 to 1',
    latencyMs: 'added to every charge, 0 to 60000 ms',
  },
  change: z.strictObject({
    failureRate: z.number().min(0).max(1).optional(),
    latencyMs: z.number().int().min(0).max(60_000).optional(),
  }),
  apply: (current, change) => mergeGiven(current, change),
  off: { failureRate: 0, latencyMs: 0 },
  isOn: (value) => value.failureRate > 0 || value.latencyMs > 0,
  example: { failureRate: 0.5, latencyMs: 200 },
});

/**
 * Where the process may kill itself, for the crash-recovery tests: each leaves an outbox unsent.
 * `after-outbox-write`: an order and its outbox are stored, nothing is published yet.
 * `after-outbox-publish`: an outbox's events are in Kafka, the outbox is not marked sent yet.
 */
export const CRASH_POINTS = ['none', 'after-outbox-write', 'after-outbox-publish'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** The faults the order domain reads: the payment switch (at its current value) and the crash point. */
export class OrderFaults {
  constructor(
    private readonly paymentSwitch: Pick<FaultSwitch<PaymentFaults>, 'value'>,
    /** Set at boot only: a crash test starts a process to die at that point. */
    readonly crashPoint: CrashPoint = 'none',
  ) {}

  get payment(): PaymentFaults {
    return this.paymentSwitch.value;
  }

  /** Kills the process at once (no drain, no shutdown hooks) when `point` is the configured one. */
  crashAt(point: Exclude<CrashPoint, 'none'>): void {
    if (this.crashPoint === point) process.kill(process.pid, 'SIGKILL');
  }
}
