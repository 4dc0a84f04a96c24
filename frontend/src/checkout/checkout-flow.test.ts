import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.ts';
import type { Order } from '../api/types.ts';
import { CheckoutFlow } from './checkout-flow.ts';

const order: Order = {
  id: 'o1',
  userId: 'u1',
  lines: [{ productId: 'p1', name: 'Mug', unitPriceCents: 1000, quantity: 2 }],
  totalCents: 2000,
  status: 'placed',
  createdAt: '2026-01-01T00:00:00.000Z',
};
const lines = [{ productId: 'p1', quantity: 2 }];

function keys() {
  let n = 0;
  return () => `key-${++n}`;
}

describe('CheckoutFlow', () => {
  it('when placing the order fails and is retried, then the same Idempotency-Key goes again', async () => {
    const placeOrder = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError(503, 'SERVICE_UNAVAILABLE', 'the order service is unavailable', undefined, 5),
      )
      .mockResolvedValueOnce(order);
    const pay = vi.fn().mockResolvedValue({ orderId: 'o1', status: 'paid', chargeId: 'c1' });
    const flow = new CheckoutFlow({ placeOrder, pay }, keys());
    expect((await flow.run(lines)).step).toBe('failed');
    expect((await flow.run(lines)).step).toBe('paid');
    expect(placeOrder.mock.calls.map((c) => c[1])).toEqual(['key-1', 'key-1']);
  });

  it('when the payment is declined, then a retry pays the same order with a new key and never orders again', async () => {
    const placeOrder = vi.fn().mockResolvedValue(order);
    const pay = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError(402, 'PAYMENT_FAILED', 'card declined; pay again with a new Idempotency-Key'),
      )
      .mockResolvedValueOnce({ orderId: 'o1', status: 'paid', chargeId: 'c1' });
    const flow = new CheckoutFlow({ placeOrder, pay }, keys());
    const first = await flow.run(lines);
    expect(first).toMatchObject({ step: 'failed', order: { id: 'o1', status: 'payment_failed' } });
    const second = await flow.run(lines);
    expect(second).toMatchObject({ step: 'paid', order: { id: 'o1', status: 'paid' } });
    expect(placeOrder).toHaveBeenCalledOnce();
    expect(pay.mock.calls.map((c) => c.join(' '))).toEqual(['o1 key-2', 'o1 key-3']);
  });

  it('when the payment answer is lost (503), then the retry reuses the payment key (charged at most once)', async () => {
    const pay = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(503, 'SERVICE_UNAVAILABLE', 'down'))
      .mockResolvedValueOnce({ orderId: 'o1', status: 'paid', chargeId: 'c1' });
    const flow = new CheckoutFlow({ placeOrder: vi.fn().mockResolvedValue(order), pay }, keys());
    await flow.run(lines);
    await flow.run(lines);
    expect(pay.mock.calls.map((c) => c[1])).toEqual(['key-2', 'key-2']);
  });
});
