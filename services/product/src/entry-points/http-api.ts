import { randomUUID } from 'node:crypto';
import { Api, cursor, id, idempotencyKey, prose, text, type AccessTokens } from '@stackdrill/kit';
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
        // min above max is an empty range (no rule across fields, which the document cannot state).
        query: z.strictObject({
          q: text('a search text', 1, 100).optional(),
          category: z
            .string()
            .regex(/^[a-z0-9-]{2,40}$/, 'a category is lower-case letters, digits and dashes')
            .optional(),
          minPriceCents: cents.optional(),
          maxPriceCents: cents.optional(),
          sort: z.enum(['newest', 'price_asc', 'price_desc', 'name']).default('newest'),
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: cursor(500).optional(),
        }),
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
      request: { params: z.strictObject({ id: id() }) },
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
          name: text('a name', 1, 200),
          description: prose('a description', 2000).default(''),
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
      request: {
        headers: z.object({
          'Idempotency-Key': idempotencyKey(
            'the same key on the same product applies the adjustment once (a retry gets the first answer); with another body, 409',
          ).optional(),
        }),
        params: z.strictObject({ id: id() }),
        body: z.strictObject({
          delta: z
            .number()
            .int()
            .min(-1_000_000)
            .max(1_000_000)
            .refine((d) => d !== 0, 'a delta of 0 changes nothing')
            .meta({ not: { const: 0 } }), // the refinement, said in the document
          reason: text('a reason', 3, 200),
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
    async ({ params, body, headers }) => ({
      status: 200,
      body: await domain.adjustStock(
        params.id,
        body.delta,
        body.reason,
        headers['Idempotency-Key'] ?? randomUUID(),
      ),
    }),
  );

  return api;
}
