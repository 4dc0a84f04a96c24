import { randomUUID } from 'node:crypto';
import { Api, AppError, type AccessTokens } from '@stackdrill/kit';
import { z } from 'zod';
import type { ProductDomain } from '../domain/products.ts';

const Summary = z.strictObject({
  id: z.uuid(),
  sku: z.string(),
  name: z.string(),
  category: z.string(),
  priceCents: z.number().int(),
});
const Detail = Summary.extend({
  description: z.string(),
  createdAt: z.iso.datetime(),
  stock: z.number().int().min(0),
});
const cents = z.coerce.number().int().min(0).max(100_000_000);

/** The product service's four APIs. */
export function productApi(domain: ProductDomain, tokens: AccessTokens): Api {
  const api = new Api({ title: 'stackdrill product service', version: '1.0.0' }, tokens);

  api.route(
    {
      method: 'get',
      path: '/api/products',
      operationId: 'searchProducts',
      summary: 'Search the catalogue: text, category, price range, sort, cursor pagination (cached)',
      auth: 'none',
      request: {
        query: z
          .strictObject({
            q: z.string().trim().min(1).max(100).optional(),
            category: z
              .string()
              .regex(/^[a-z0-9-]{2,40}$/, 'a category is lower-case letters, digits and dashes')
              .optional(),
            minPriceCents: cents.optional(),
            maxPriceCents: cents.optional(),
            sort: z.enum(['newest', 'price_asc', 'price_desc', 'name']).default('newest'),
            limit: z.coerce.number().int().min(1).max(100).default(20),
            cursor: z.string().max(500).optional(),
          })
          .refine(
            (q) =>
              q.minPriceCents === undefined ||
              q.maxPriceCents === undefined ||
              q.minPriceCents <= q.maxPriceCents,
            {
              message: 'minPriceCents must not exceed maxPriceCents',
              path: ['minPriceCents'],
            },
          ),
      },
      responses: {
        200: {
          description: 'one page of products',
          body: z.strictObject({ items: z.array(Summary), nextCursor: z.string().nullable() }),
        },
      },
    },
    async ({ query }) => ({ status: 200, body: await domain.search(query) }),
  );

  api.route(
    {
      method: 'get',
      path: '/api/products/:id',
      operationId: 'getProduct',
      summary: 'One product with its stock (cached; emits product.viewed)',
      auth: 'optional',
      request: { params: z.strictObject({ id: z.uuid() }) },
      responses: {
        200: { description: 'the product', body: Detail },
        404: { description: 'no such product' },
      },
    },
    async ({ params }, { principal, req }) => ({
      status: 200,
      body: await domain.get(params.id, principal, req.get('traceparent')),
    }),
  );

  api.route(
    {
      method: 'post',
      path: '/api/products',
      operationId: 'createProduct',
      summary: 'Add a product to the catalogue (admin)',
      auth: 'admin',
      request: {
        body: z.strictObject({
          sku: z.string().regex(/^[A-Z0-9-]{3,40}$/, 'a SKU is 3-40 upper-case letters, digits and dashes'),
          name: z.string().trim().min(1).max(200),
          description: z.string().max(2000).default(''),
          category: z
            .string()
            .regex(/^[a-z0-9-]{2,40}$/, 'a category is lower-case letters, digits and dashes'),
          priceCents: z.number().int().min(1).max(100_000_000),
          initialStock: z.number().int().min(0).max(1_000_000).default(0),
        }),
      },
      responses: {
        201: { description: 'the product was created', body: Detail },
        409: { description: 'the SKU exists' },
      },
    },
    async ({ body }) => ({ status: 201, body: await domain.create(body) }),
  );

  api.route(
    {
      method: 'patch',
      path: '/api/products/:id/inventory',
      operationId: 'adjustInventory',
      summary: 'Adjust stock by a delta with a reason (admin); an Idempotency-Key makes retries count once',
      auth: 'admin',
      headers: {
        'Idempotency-Key': {
          required: false,
          description:
            'the same key on the same product applies the adjustment once (a retry gets the first answer); with another body, 409',
        },
      },
      request: {
        params: z.strictObject({ id: z.uuid() }),
        body: z.strictObject({
          delta: z
            .number()
            .int()
            .min(-1_000_000)
            .max(1_000_000)
            .refine((d) => d !== 0, 'a delta of 0 changes nothing'),
          reason: z.string().trim().min(3).max(200),
        }),
      },
      responses: {
        200: {
          description: 'the new stock',
          body: z.strictObject({
            productId: z.uuid(),
            stock: z.number().int().min(0),
            seq: z.number().int(),
          }),
        },
        404: { description: 'no such product' },
        409: {
          description:
            'the adjustment would make stock negative, or the Idempotency-Key was used for another adjustment',
        },
      },
    },
    async ({ params, body }, { req }) => {
      const key = req.get('idempotency-key');
      if (key !== undefined && !/^[\w-]{8,100}$/.test(key)) {
        throw new AppError(
          400,
          'INVALID_IDEMPOTENCY_KEY',
          'Idempotency-Key must be 8-100 letters, digits, _ or -',
        );
      }
      return {
        status: 200,
        body: await domain.adjustStock(params.id, body.delta, body.reason, key ?? randomUUID()),
      };
    },
  );

  return api;
}
