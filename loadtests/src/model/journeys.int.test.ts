import { randomUUID } from 'node:crypto';
import { openProvider, SEED_ACCOUNTS, seedStack } from '@stackdrill/stack';
import { beforeAll, describe, expect, it } from 'vitest';
import { runProfile } from '../engine/runner.ts';
import { JOURNEYS, type Journey } from './journeys.ts';

// The checkout journey against the test instance of the stack, on a product that is sold out.
let gateway: string;
let soldOutId: string;
const customer = {
  email: `sold-out.${randomUUID().slice(0, 8)}@example.com`,
  password: 'load-test-password',
};

const post = async (path: string, body: unknown, token?: string) => {
  const response = await fetch(`${gateway}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  const provider = await openProvider('test');
  gateway = provider.endpoints().app.gateway;
  await seedStack(provider); // idempotent: the admin must exist
  const { email, password } = SEED_ACCOUNTS.admin;
  const admin = await post('/api/auth/token', { grant_type: 'password', email, password });
  const product = await post(
    '/api/products',
    {
      sku: `SOLD-OUT-${randomUUID().slice(0, 8).toUpperCase()}`,
      name: 'Sold-out lamp',
      category: 'lighting',
      priceCents: 1000,
      initialStock: 0,
    },
    String(admin.body.access_token),
  );
  expect(product.status).toBe(201);
  soldOutId = String(product.body.id);
  expect((await post('/api/users', { ...customer, name: 'Sold out' })).status).toBe(201);
});

describe('the checkout journey', () => {
  it('when the shop refuses the order (409, sold out), then the journey ends there: no payment, no error', async () => {
    const checkout = JOURNEYS['checkout-and-pay'];
    // The shopper has chosen the sold-out product (instead of a random one from the list).
    const [, view, ...rest] = checkout.steps;
    const onSoldOut: Journey = {
      ...checkout,
      steps: [
        {
          ...view!,
          path: () => `/api/products/${soldOutId}`,
          needs: [],
          extract: (_body, ctx) => {
            ctx.vars.productId = soldOutId;
          },
        },
        ...rest,
      ],
    };
    const summary = await runProfile({
      target: gateway,
      profileName: 'sold-out',
      profile: {
        description: 'one checkout',
        scenario: {
          executor: 'constant-arrival-rate',
          rate: 1,
          duration: '1s',
          preAllocatedVUs: 1,
          maxVUs: 1,
        },
        mix: { 'checkout-and-pay': 1 },
      },
      journeys: { 'checkout-and-pay': onSoldOut },
      customers: [customer],
      admin: SEED_ACCOUNTS.admin,
      thinkScale: 0,
      workers: 1,
    });
    expect(summary.endpoints['POST /api/orders']?.statuses).toEqual({ '409': 1 });
    expect(summary.endpoints['POST /api/orders/:id/payment']).toBeUndefined();
    expect(summary.endpoints['GET /api/orders']).toBeUndefined();
    expect(summary.journeys['checkout-and-pay']).toMatchObject({ requests: 2, errors: 0 });
  });
});
