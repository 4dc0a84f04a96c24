import { ApiError } from '../api/client.ts';
import type { Endpoints } from '../api/endpoints.ts';
import type { Order } from '../api/types.ts';

export type CheckoutState =
  { step: 'ready' } | { step: 'paid'; order: Order } | { step: 'failed'; error: ApiError; order?: Order };

/**
 * Places the cart as one order, then pays it, so that retrying never orders twice: the order's
 * Idempotency-Key is made once per checkout and reused by every retry (a retry after a lost answer
 * gets the same order back), and once the order exists only its payment is retried. A payment that
 * was declined (402) is retried with a new key, as the API asks; any other failure reuses the key.
 */
export class CheckoutFlow {
  private readonly orderKey: string;
  private payKey: string;
  private order: Order | undefined;

  constructor(
    private readonly api: Pick<Endpoints, 'placeOrder' | 'pay'>,
    private readonly newKey: () => string = () => crypto.randomUUID(),
  ) {
    this.orderKey = newKey();
    this.payKey = newKey();
  }

  get placedOrder(): Order | undefined {
    return this.order;
  }

  async run(lines: { productId: string; quantity: number }[]): Promise<CheckoutState> {
    try {
      this.order ??= await this.api.placeOrder(lines, this.orderKey);
    } catch (error) {
      return { step: 'failed', error: asApiError(error) };
    }
    try {
      await this.api.pay(this.order.id, this.payKey);
      return { step: 'paid', order: { ...this.order, status: 'paid' } };
    } catch (error) {
      const apiError = asApiError(error);
      if (apiError.status === 402) this.payKey = this.newKey();
      return { step: 'failed', error: apiError, order: { ...this.order, status: 'payment_failed' } };
    }
  }
}

const asApiError = (error: unknown) =>
  error instanceof ApiError ? error : new ApiError(0, 'UNEXPECTED', (error as Error).message);
