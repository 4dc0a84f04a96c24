import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Order } from '../api/types.ts';
import { fakeGateway, json, renderPage, signInAs } from '../testing/render-page.tsx';
import { OrderPage } from './orders-page.tsx';

const id = '5b0d5c3e-0000-4000-8000-000000000002';
const order: Order = {
  id,
  userId: 'u1',
  lines: [{ productId: 'p1', name: 'Blue mug', unitPriceCents: 1250, quantity: 1 }],
  totalCents: 1250,
  status: 'payment_failed',
  createdAt: '2026-01-01T00:00:00.000Z',
};

beforeEach(() => {
  signInAs('customer');
});

describe('the order page', () => {
  it('when the order is not found, then the API message is shown with a retry', async () => {
    fakeGateway(() => json(404, { code: 'NOT_FOUND', message: `order ${id} was not found` }));
    renderPage(<OrderPage />, { url: `/orders/${id}`, path: '/orders/:id' });
    expect(screen.getByRole('status').textContent).toContain('Loading the order');
    expect((await screen.findByRole('alert')).textContent).toContain(`order ${id} was not found`);
    expect(screen.getByRole('button', { name: 'Try again' })).toBeTruthy();
  });

  it('when an unpaid order is paid from its page and the answer is lost, then the retry reuses the key', async () => {
    let status: Order['status'] = 'payment_failed';
    let payAttempts = 0;
    const calls = fakeGateway(({ path }) => {
      if (path === `/api/orders/${id}`) return json(200, { ...order, status });
      if (++payAttempts === 1)
        return json(503, { code: 'SERVICE_UNAVAILABLE', message: 'the order service is unavailable' });
      status = 'paid';
      return json(200, { orderId: id, status: 'paid', chargeId: 'c1' });
    });
    renderPage(<OrderPage />, { url: `/orders/${id}`, path: '/orders/:id' });
    expect(await screen.findByText('Payment failed')).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Pay now' }));
    expect((await screen.findByRole('alert')).textContent).toContain('the order service is unavailable');
    await userEvent.click(screen.getByRole('button', { name: 'Pay now' }));
    expect(await screen.findByText('Paid')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pay now' })).toBeNull();
    const keys = calls.filter((c) => c.path.endsWith('/payment')).map((c) => c.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
  });
});
