import type { Endpoints } from '../api/endpoints.ts';
import { IdempotencyKey, isFinalAnswer } from '../api/idempotency.ts';
import type { ApiError } from '../api/client.ts';
import type { Order } from '../api/types.ts';
import { asApiError, PaymentFlow } from './payment-flow.ts';

export type CheckoutState =
  { step: 'ready' } | { step: 'paid'; order: Order } | { step: 'failed'; error: ApiError; order?: Order };

/** An order takes at most this many different products (the order service's rule). */
export const MAX_ORDER_LINES = 20;

/**
 * Places the cart as one order, then pays it, so that retrying never orders twice: the order's
 * Idempotency-Key belongs to the cart's content and is reused by every retry of that content until
 * the API answers for good (a retry after a lost answer gets the same order back), and once the
 * order exists only its payment is retried (see PaymentFlow).
 */
export class CheckoutFlow {
  private order: Order | undefined;
  private payment: PaymentFlow | undefined;
  private readonly orderKey: IdempotencyKey;
  private readonly newKey: (() => string) | undefined;

  constructor(
    private readonly api: Pick<Endpoints, 'placeOrder' | 'pay'>,
    options: { orderKey?: IdempotencyKey; newKey?: () => string } = {},
  ) {
    this.newKey = options.newKey;
    this.orderKey = options.orderKey ?? new IdempotencyKey(undefined, options.newKey);
  }

  get placedOrder(): Order | undefined {
    return this.order;
  }

  async run(lines: { productId: string; quantity: number }[]): Promise<CheckoutState> {
    if (!this.order) {
      try {
        this.order = await this.api.placeOrder(lines, this.orderKey.for(lines));
        this.orderKey.settle();
        this.payment = new PaymentFlow(this.api, this.order.id, this.newKey);
      } catch (error) {
        const apiError = asApiError(error);
        if (isFinalAnswer(apiError.status)) this.orderKey.settle();
        return { step: 'failed', error: apiError };
      }
    }
    const outcome = await this.payment!.pay();
    if (outcome.paid) return { step: 'paid', order: { ...this.order, status: 'paid' } };
    return { step: 'failed', error: outcome.error, order: this.order };
  }
}
