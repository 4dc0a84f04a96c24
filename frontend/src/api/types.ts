// The shapes the gateway's API answers with, picked out of the types generated from the services'
// routes (openapi.ts, `pnpm api:types`): a service that changes a shape changes them, and the UI's
// type check says where it matters.
import type { operations } from './openapi.ts';

/** The JSON body of an operation's answer with that status. */
type Body<
  Op extends keyof operations,
  Status extends keyof operations[Op]['responses'],
> = operations[Op]['responses'][Status] extends { content: { 'application/json': infer B } } ? B : never;

export type ProductDetail = Body<'getProduct', 200>;
export type ProductSummary = Body<'searchProducts', 200>['items'][number];

/** A page of a cursor-paginated list (the catalogue's, the orders', the notifications'). */
export type Page<T> = Omit<Body<'searchProducts', 200>, 'items'> & { items: T[] };

export type Order = Body<'getOrder', 200>;
export type OrderLine = Order['lines'][number];
export type OrderStatus = Order['status'];
export type PaymentResult = Body<'payOrder', 200>;

export type Notification = Body<'listMyNotifications', 200>['items'][number];
export type Preferences = Body<'setNotificationPreferences', 200>;

export type User = Body<'getMyProfile', 200>;
export type TokenPair = Body<'issueToken', 200>;

export type SalesReport = Body<'getSales', 200>;
export type TopProducts = Body<'getTopProducts', 200>;
/** Its `recentOrders` are the latest orders placed in the range, newest first. */
export type Dashboard = Body<'getDashboard', 200>;

export type StockAdjustment = Body<'adjustInventory', 200>;
