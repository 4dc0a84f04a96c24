import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.ts';
import { IdempotencyKey } from '../api/idempotency.ts';
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
const paid = { orderId: 'o1', status: 'paid' as const, chargeId: 'c1' };

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
      .mockRejectedValueOnce(new ApiError(0, 'NETWORK', 'The shop cannot be reached'))
      .mockResolvedValueOnce(order);
    const pay = vi.fn().mockResolvedValue(paid);
    const flow = new CheckoutFlow({ placeOrder, pay }, { newKey: keys() });
    expect((await flow.run(lines)).step).toBe('failed');
    expect((await flow.run(lines)).step).toBe('failed');
    expect((await flow.run(lines)).step).toBe('paid');
    expect(placeOrder.mock.calls.map((c) => c[1])).toEqual(['key-1', 'key-1', 'key-1']);
  });

  it('when the checkout page is left and the same cart is checked out again, then the stored key is reused', async () => {
    const storage = window.localStorage;
    storage.clear();
    const placeOrder = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(503, 'SERVICE_UNAVAILABLE', 'down'))
      .mockResolvedValueOnce(order);
    const api = { placeOrder, pay: vi.fn().mockResolvedValue(paid) };
    const stored = () => new IdempotencyKey({ storage, name: 'checkout' }, keys());
    await new CheckoutFlow(api, { orderKey: stored() }).run(lines);
    // A new page (a reload, or back from signing in again) makes a new flow.
    expect((await new CheckoutFlow(api, { orderKey: stored() }).run(lines)).step).toBe('paid');
    expect(placeOrder.mock.calls[0]![1]).toBe(placeOrder.mock.calls[1]![1]);
    // The order exists: the key is done with, and the next checkout gets a new one.
    expect(storage.getItem('checkout')).toBeNull();
  });

  it('when the cart changed since the failed attempt, then a new key goes (the API refuses a key for another body)', async () => {
    const placeOrder = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(503, 'SERVICE_UNAVAILABLE', 'down'))
      .mockResolvedValueOnce(order);
    const flow = new CheckoutFlow({ placeOrder, pay: vi.fn().mockResolvedValue(paid) }, { newKey: keys() });
    await flow.run(lines);
    await flow.run([{ productId: 'p1', quantity: 3 }]);
    expect(placeOrder.mock.calls.map((c) => c[1])).toEqual(['key-1', 'key-2']);
  });

  it('when the order is refused for good (409 out of stock), then the next attempt is a new request', async () => {
    const placeOrder = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(409, 'INSUFFICIENT_STOCK', 'only 1 in stock'))
      .mockResolvedValueOnce(order);
    const flow = new CheckoutFlow({ placeOrder, pay: vi.fn().mockResolvedValue(paid) }, { newKey: keys() });
    expect((await flow.run(lines)).step).toBe('failed');
    expect((await flow.run(lines)).step).toBe('paid');
    expect(placeOrder.mock.calls.map((c) => c[1])).toEqual(['key-1', 'key-2']);
  });

  it('when the payment is declined, then a retry pays the same order with a new key and never orders again', async () => {
    const placeOrder = vi.fn().mockResolvedValue(order);
    const pay = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError(402, 'PAYMENT_FAILED', 'card declined; pay again with a new Idempotency-Key'),
      )
      .mockResolvedValueOnce(paid);
    const flow = new CheckoutFlow({ placeOrder, pay }, { newKey: keys() });
    const first = await flow.run(lines);
    expect(first).toMatchObject({ step: 'failed', order: { id: 'o1' }, error: { status: 402 } });
    const second = await flow.run(lines);
    expect(second).toMatchObject({ step: 'paid', order: { id: 'o1', status: 'paid' } });
    expect(placeOrder).toHaveBeenCalledOnce();
    expect(pay.mock.calls.map((c) => c.join(' '))).toEqual(['o1 key-2', 'o1 key-3']);
  });

  it('when the payment answer is lost (503), then the retry reuses the payment key (charged at most once)', async () => {
    const pay = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(503, 'SERVICE_UNAVAILABLE', 'down'))
      .mockResolvedValueOnce(paid);
    const flow = new CheckoutFlow({ placeOrder: vi.fn().mockResolvedValue(order), pay }, { newKey: keys() });
    await flow.run(lines);
    await flow.run(lines);
    expect(pay.mock.calls.map((c) => c[1])).toEqual(['key-2', 'key-2']);
  });
});
