import { Api, type AccessTokens } from '@stackdrill/kit';
import { z } from 'zod';
import { rangeOf, type AnalyticsDomain } from '../domain/analytics.ts';

const range = { from: z.iso.datetime().optional(), to: z.iso.datetime().optional() };
const window = { from: z.iso.datetime(), to: z.iso.datetime() };

/** The analytics service's three APIs (admin only). */
export function analyticsApi(domain: AnalyticsDomain, tokens: AccessTokens): Api {
  const api = new Api({ title: 'stackdrill analytics service', version: '1.0.0' }, tokens);

  api.route(
    {
      method: 'get',
      path: '/api/analytics/sales',
      operationId: 'getSales',
      summary: 'Paid orders and revenue per hour or day over a range (default: the last 7 days)',
      auth: 'admin',
      request: { query: z.strictObject({ ...range, interval: z.enum(['hour', 'day']).default('day') }) },
      responses: {
        200: {
          description: 'sales per interval',
          body: z.strictObject({
            ...window,
            interval: z.enum(['hour', 'day']),
            buckets: z.array(
              z.strictObject({
                start: z.iso.datetime(),
                orders: z.number().int(),
                revenueCents: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async ({ query }) => ({
      status: 200,
      body: await domain.sales(rangeOf(query.from, query.to), query.interval),
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/api/analytics/top-products',
      operationId: 'getTopProducts',
      summary: 'The products ordered most (units) over a range',
      auth: 'admin',
      request: {
        query: z.strictObject({ ...range, limit: z.coerce.number().int().min(1).max(100).default(10) }),
      },
      responses: {
        200: {
          description: 'products by units ordered',
          body: z.strictObject({
            ...window,
            items: z.array(
              z.strictObject({
                productId: z.string(),
                name: z.string(),
                units: z.number().int(),
                revenueCents: z.number().int(),
              }),
            ),
          }),
        },
      },
    },
    async ({ query }) => ({
      status: 200,
      body: await domain.topProducts(rangeOf(query.from, query.to), query.limit),
    }),
  );

  api.route(
    {
      method: 'get',
      path: '/api/analytics/dashboard',
      operationId: 'getDashboard',
      summary: 'KPIs over a range (default: the last 7 days) and live counters',
      auth: 'admin',
      request: { query: z.strictObject(range) },
      responses: {
        200: {
          description: 'the dashboard',
          body: z.strictObject({
            ...window,
            kpis: z.strictObject({
              ordersPlaced: z.number().int(),
              ordersPaid: z.number().int(),
              revenueCents: z.number().int(),
              customers: z.number().int(),
              paymentFailures: z.number().int(),
              notificationsSent: z.number().int(),
              notificationsFailed: z.number().int(),
            }),
            recentOrders: z.array(
              z.strictObject({
                orderId: z.string(),
                totalCents: z.number().int(),
                placedAt: z.iso.datetime(),
              }),
            ),
            live: z.strictObject({
              ordersLast5Min: z.number().int(),
              productViewsLast5Min: z.number().int(),
            }),
            generatedAt: z.iso.datetime(),
          }),
        },
      },
    },
    async ({ query }) => ({ status: 200, body: await domain.dashboard(rangeOf(query.from, query.to)) }),
  );

  return api;
}
