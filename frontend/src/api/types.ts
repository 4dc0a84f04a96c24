// The shapes the gateway's API answers with: each service's zod schemas in
// services/*/src/entry-points/http-api.ts (also in the OpenAPI document at /api/docs).

export interface ProductSummary {
  id: string;
  sku: string;
  name: string;
  category: string;
  priceCents: number;
}

export interface ProductDetail extends ProductSummary {
  description: string;
  createdAt: string;
  stock: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface OrderLine {
  productId: string;
  name: string;
  unitPriceCents: number;
  quantity: number;
}

export type OrderStatus = 'placed' | 'paid' | 'payment_failed';

export interface Order {
  id: string;
  userId: string;
  lines: OrderLine[];
  totalCents: number;
  status: OrderStatus;
  createdAt: string;
}

export interface Notification {
  id: string;
  kind: 'welcome' | 'order_confirmation';
  channel: 'email' | 'sms' | 'push';
  subject: string;
  text: string;
  status: 'pending' | 'sent' | 'failed';
  createdAt: string;
}

export interface Preferences {
  email: boolean;
  sms: boolean;
  push: boolean;
}

export interface User {
  id: string;
  email: string;
  name: string;
  role: 'customer' | 'admin';
  createdAt: string;
}

export interface TokenPair {
  access_token: string;
  token_type: 'Bearer';
  refresh_token: string;
  expires_in: number;
}

export interface SalesReport {
  interval: 'hour' | 'day';
  from: string;
  to: string;
  buckets: { start: string; orders: number; revenueCents: number }[];
}

export interface TopProducts {
  from: string;
  to: string;
  items: { productId: string; name: string; units: number; revenueCents: number }[];
}

export interface Dashboard {
  from: string;
  to: string;
  kpis: {
    ordersPlaced: number;
    ordersPaid: number;
    revenueCents: number;
    customers: number;
    paymentFailures: number;
    notificationsSent: number;
    notificationsFailed: number;
  };
  /** The latest orders placed in the range, newest first. */
  recentOrders: { orderId: string; totalCents: number; placedAt: string }[];
  live: { ordersLast5Min: number; productViewsLast5Min: number };
  generatedAt: string;
}

export interface StockAdjustment {
  productId: string;
  stock: number;
  seq: number;
}

export interface PaymentResult {
  orderId: string;
  status: 'paid';
  chargeId: string;
}
