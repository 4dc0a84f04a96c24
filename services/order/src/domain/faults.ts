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

export class FaultSwitches {
  constructor(public payment: PaymentFaults) {}

  set(changes: Partial<PaymentFaults>): PaymentFaults {
    this.payment = { ...this.payment, ...changes };
    return this.payment;
  }
}
