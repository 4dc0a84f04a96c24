import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Order } from '../api/types.ts';
import { fakeGateway, json, renderPage, signInAs } from '../testing/render-page.tsx';
import { CheckoutPage } from './checkout-page.tsx';

const order: Order = {
  id: '5b0d5c3e-0000-4000-8000-000000000001',
  userId: 'u1',
  lines: [{ productId: 'p1', name: 'Blue mug', unitPriceCents: 1250, quantity: 2 }],
  totalCents: 2500,
  status: 'placed',
  createdAt: '2026-01-01T00:00:00.000Z',
};
const paid = { orderId: order.id, status: 'paid', chargeId: 'c1' };

beforeEach(() => {
  signInAs('customer');
  window.localStorage.setItem(
    'stackdrill.cart',
    JSON.stringify([{ productId: 'p1', name: 'Blue mug', priceCents: 1250, quantity: 2 }]),
  );
});

describe('the checkout page', () => {
  it('when placing the order gets a 503, then it says when to retry, and the retry sends the same Idempotency-Key', async () => {
    let placeAttempts = 0;
    const calls = fakeGateway(({ method, path }) => {
      if (method === 'POST' && path === '/api/orders') {
        return ++placeAttempts === 1
          ? json(
              503,
              { code: 'SERVICE_UNAVAILABLE', message: 'the order service is unavailable; retry shortly' },
              { 'retry-after': '5' },
            )
          : json(201, order);
      }
      if (path === `/api/orders/${order.id}/payment`) return json(200, paid);
      return json(404, { code: 'NOT_FOUND', message: 'no route' });
    });
    renderPage(<CheckoutPage />, { url: '/checkout' });
    expect(screen.getByText('Total: $25.00')).toBeTruthy();

    await userEvent.click(screen.getByRole('button', { name: 'Place order and pay' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Please retry in 5 seconds.');
    await userEvent.click(screen.getByRole('button', { name: 'Place order and pay' }));
    expect(await screen.findByRole('heading', { name: 'Thank you' })).toBeTruthy();

    const placed = calls.filter((c) => c.method === 'POST' && c.path === '/api/orders');
    expect(placed).toHaveLength(2);
    expect(placed[0]!.headers['idempotency-key']).toMatch(/^[\w-]{8,100}$/);
    expect(placed[1]!.headers['idempotency-key']).toBe(placed[0]!.headers['idempotency-key']);
    expect(placed[0]!.body).toEqual({ lines: [{ productId: 'p1', quantity: 2 }] });
    // The cart became the order.
    expect(window.localStorage.getItem('stackdrill.cart')).toBe('[]');
  });

  it('when the payment is declined, then the reason shows and "Retry payment" pays the same order, never ordering again', async () => {
    let payAttempts = 0;
    const calls = fakeGateway(({ method, path }) => {
      if (method === 'POST' && path === '/api/orders') return json(201, order);
      if (path === `/api/orders/${order.id}/payment`) {
        return ++payAttempts === 1
          ? json(402, {
              code: 'PAYMENT_FAILED',
              message: 'the card was declined (simulated); pay again with a new Idempotency-Key',
              details: { orderId: order.id },
            })
          : json(200, paid);
      }
      return json(404, { code: 'NOT_FOUND', message: 'no route' });
    });
    renderPage(<CheckoutPage />, { url: '/checkout' });

    await userEvent.click(screen.getByRole('button', { name: 'Place order and pay' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Payment declined: the card was declined (simulated).',
    );
    expect(screen.getByText(/is placed \(\$25\.00\); it is not paid yet/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Retry payment' }));
    expect(await screen.findByRole('heading', { name: 'Thank you' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('is paid');

    expect(calls.filter((c) => c.path === '/api/orders')).toHaveLength(1);
    const payments = calls.filter((c) => c.path === `/api/orders/${order.id}/payment`);
    expect(payments).toHaveLength(2);
    // A decline is a final answer: the next attempt is a new one, as the API asks.
    expect(payments[1]!.headers['idempotency-key']).not.toBe(payments[0]!.headers['idempotency-key']);
  });
});
