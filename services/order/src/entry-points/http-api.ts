import { Api, cursor, id, idempotencyKey, type AccessTokens } from '@stackdrill/kit';
import { z } from 'zod';
import type { OrderDomain } from '../domain/orders.ts';

const Line = z.strictObject({
  productId: z.uuid(),
  name: z.string(),
  unitPriceCents: z.number().int(),
  quantity: z.number().int(),
});
const Order = z.strictObject({
  id: z.uuid(),
  userId: z.string(),
  lines: z.array(Line),
  totalCents: z.number().int(),
  status: z.enum(['placed', 'paid', 'payment_failed']),
  createdAt: z.iso.datetime(),
});
const IDEMPOTENCY_HEADER = z.object({
  'Idempotency-Key': idempotencyKey('the same key and body give the same answer; another body is refused'),
});

/** The order service's four APIs. */
export function orderApi(domain: OrderDomain, tokens: AccessTokens): Api {
  const api = new Api({ title: 'stackdrill order service', version: '1.0.0' }, tokens);

  api.route(
    {
      method: 'post',
      path: '/api/orders',
      operationId: 'placeOrder',
      summary: 'Place an order: reserves stock for every line or none (emits order.placed)',
      auth: 'user',
      request: {
        headers: IDEMPOTENCY_HEADER,
        body: z.strictObject({
          lines: z
            .array(z.strictObject({ productId: id(), quantity: z.number().int().min(1).max(100) }))
            .min(1)
            .max(20)
            .refine(
              (lines) => new Set(lines.map((l) => l.productId)).size === lines.length,
              'each product may appear in one line only',
            )
            // A rule JSON Schema cannot state, so the document says it in words.
            .meta({ description: 'one line per product (a product in two lines is a 400)' }),
        }),
      },
      responses: {
        201: { description: 'the order, with its stock reserved', body: Order },
        409: {
          description:
            'not enough stock (INSUFFICIENT_STOCK) or a product that does not exist (UNKNOWN_PRODUCT): nothing is reserved; or the key was used for another order',
        },
      },
    },
    async ({ body, headers }, { principal }) =>
      domain.place(principal!, headers['Idempotency-Key'], body.lines),
  );

  api.route(
    {
      method: 'get',
      path: '/api/orders',
      operationId: 'listMyOrders',
      summary: "The caller's orders, newest first, with cursor pagination",
      auth: 'user',
      request: {
        query: z.strictObject({
          limit: z.coerce.number().int().min(1).max(50).default(20),
          cursor: cursor(300).optional(),
        }),
      },
      responses: {
        200: {
          description: 'one page of orders',
          body: z.strictObject({ items: z.array(Order), nextCursor: z.string().nullable() }),
        },
      },
    },
    async ({ query }, { principal }) => ({
      status: 200,
      body: await domain.listMine(principal!, query.limit, query.cursor),
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/api/orders/:id',
      operationId: 'getOrder',
      summary: 'One order with its status (the caller’s own, or any for an admin)',
      auth: 'user',
      request: { params: z.strictObject({ id: id() }) },
      responses: {
        200: { description: 'the order', body: Order },
        404: { description: 'no such order of yours' },
      },
    },
    async ({ params }, { principal }) => ({ status: 200, body: await domain.get(principal!, params.id) }),
  );

  api.route(
    {
      method: 'post',
      path: '/api/orders/:id/payment',
      operationId: 'payOrder',
      summary:
        'Pay an order through the (simulated) provider; idempotent; charges once (emits order.paid or order.payment_failed)',
      auth: 'user',
      request: { headers: IDEMPOTENCY_HEADER, params: z.strictObject({ id: id() }) },
      responses: {
        200: {
          description: 'the order is paid',
          body: z.strictObject({ orderId: z.uuid(), status: z.literal('paid'), chargeId: z.string() }),
        },
        402: { description: 'the payment was declined; pay again with a new key' },
        404: { description: 'no such order of yours' },
      },
    },
    async ({ params, headers }, { principal }) =>
      domain.pay(principal!, params.id, headers['Idempotency-Key']),
  );

  return api;
}
