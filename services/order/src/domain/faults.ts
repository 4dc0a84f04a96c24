/**
 * Named fault switches of the order service (the simulated payment provider), set at boot from the
 * config and changed at run time through `PUT /internal/faults` by load tests and chaos experiments.
 */
export interface PaymentFaults {
  /** Share of charges declined, 0 to 1. */
  failureRate: number;
  /** Added to every charge, in milliseconds. */
  latencyMs: number;
}

/**
 * Where the process may kill itself, for the crash-recovery tests: each leaves an outbox unsent.
 * `after-outbox-write`: an order and its outbox are stored, nothing is published yet.
 * `after-outbox-publish`: an outbox's events are in Kafka, the outbox is not marked sent yet.
 */
export const CRASH_POINTS = ['none', 'after-outbox-write', 'after-outbox-publish'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export class FaultSwitches {
  constructor(
    public payment: PaymentFaults,
    /** Set at boot only: a crash test starts a process to die at that point. */
    readonly crashPoint: CrashPoint = 'none',
  ) {}

  set(changes: Partial<PaymentFaults>): PaymentFaults {
    this.payment = { ...this.payment, ...changes };
    return this.payment;
  }

  /** Kills the process at once (no drain, no shutdown hooks) when `point` is the configured one. */
  crashAt(point: Exclude<CrashPoint, 'none'>): void {
    if (this.crashPoint === point) process.kill(process.pid, 'SIGKILL');
  }
}
