import { ApiError } from '../api/client.ts';
import type { Endpoints } from '../api/endpoints.ts';
import { IdempotencyKey, isFinalAnswer } from '../api/idempotency.ts';

export type PaymentOutcome = { paid: true } | { paid: false; error: ApiError };

/**
 * Pays one order, as often as the user asks, charging it at most once: every retry after an unknown
 * outcome (network error, 429, 5xx) sends the same Idempotency-Key, and only a final answer such as
 * a decline (402) makes the next attempt a new one, as the API asks.
 */
export class PaymentFlow {
  private readonly key: IdempotencyKey;

  constructor(
    private readonly api: Pick<Endpoints, 'pay'>,
    readonly orderId: string,
    newKey?: () => string,
  ) {
    this.key = new IdempotencyKey(undefined, newKey);
  }

  async pay(): Promise<PaymentOutcome> {
    try {
      await this.api.pay(this.orderId, this.key.for(this.orderId));
      this.key.settle();
      return { paid: true };
    } catch (error) {
      const apiError = asApiError(error);
      if (isFinalAnswer(apiError.status)) this.key.settle();
      return { paid: false, error: apiError };
    }
  }
}

export const asApiError = (error: unknown) =>
  error instanceof ApiError ? error : new ApiError(0, 'UNEXPECTED', (error as Error).message);

/** A decline's reason in the shopper's words (the API also tells programs to use a new key). */
export function declineReason(error: ApiError): string {
  return error.message.replace(/;\s*pay again with a new Idempotency-Key\.?$/i, '');
}
