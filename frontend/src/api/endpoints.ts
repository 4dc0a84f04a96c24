import type { ApiClient } from './client.ts';
import type {
  Dashboard,
  Notification,
  Order,
  Page,
  PaymentResult,
  Preferences,
  ProductDetail,
  ProductSummary,
  SalesReport,
  StockAdjustment,
  TokenPair,
  TopProducts,
  User,
} from './types.ts';

export interface ProductQuery {
  q?: string;
  category?: string;
  sort?: 'newest' | 'price_asc' | 'price_desc' | 'name';
  cursor?: string;
  limit?: number;
}

const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
};

/** Every operation the UI uses, typed; one function per API. */
export function endpoints(api: ApiClient) {
  return {
    register: (body: { email: string; password: string; name: string }) =>
      api.request<User>('/api/users', { method: 'POST', body, auth: false }),
    signIn: (email: string, password: string) =>
      api.request<TokenPair>('/api/auth/token', {
        method: 'POST',
        body: { grant_type: 'password', email, password },
        auth: false,
      }),
    /** Ends the session of this refresh token on the server (204, whether or not it was known). */
    signOut: (refreshToken: string) =>
      api.request<void>('/api/auth/token', {
        method: 'POST',
        body: { grant_type: 'revoke', refresh_token: refreshToken },
        auth: false,
      }),
    me: () => api.request<User>('/api/users/me'),

    products: (q: ProductQuery) => api.request<Page<ProductSummary>>(`/api/products${query({ ...q })}`),
    product: (id: string) => api.request<ProductDetail>(`/api/products/${encodeURIComponent(id)}`),
    createProduct: (body: {
      sku: string;
      name: string;
      description: string;
      category: string;
      priceCents: number;
      initialStock: number;
    }) => api.request<ProductDetail>('/api/products', { method: 'POST', body }),
    adjustStock: (id: string, delta: number, reason: string, idempotencyKey: string) =>
      api.request<StockAdjustment>(`/api/products/${encodeURIComponent(id)}/inventory`, {
        method: 'PATCH',
        body: { delta, reason },
        headers: { 'Idempotency-Key': idempotencyKey },
      }),

    placeOrder: (lines: { productId: string; quantity: number }[], idempotencyKey: string) =>
      api.request<Order>('/api/orders', {
        method: 'POST',
        body: { lines },
        headers: { 'Idempotency-Key': idempotencyKey },
      }),
    pay: (orderId: string, idempotencyKey: string) =>
      api.request<PaymentResult>(`/api/orders/${encodeURIComponent(orderId)}/payment`, {
        method: 'POST',
        headers: { 'Idempotency-Key': idempotencyKey },
      }),
    orders: (cursor?: string) => api.request<Page<Order>>(`/api/orders${query({ cursor, limit: 10 })}`),
    order: (id: string) => api.request<Order>(`/api/orders/${encodeURIComponent(id)}`),

    notifications: (cursor?: string) =>
      api.request<Page<Notification>>(`/api/notifications${query({ cursor, limit: 20 })}`),
    savePreferences: (preferences: Preferences) =>
      api.request<Preferences>('/api/notifications/preferences', { method: 'PUT', body: preferences }),

    sales: (interval: 'hour' | 'day', from?: string) =>
      api.request<SalesReport>(`/api/analytics/sales${query({ interval, from })}`),
    topProducts: () => api.request<TopProducts>('/api/analytics/top-products?limit=5'),
    dashboard: () => api.request<Dashboard>('/api/analytics/dashboard'),
  };
}

export type Endpoints = ReturnType<typeof endpoints>;
