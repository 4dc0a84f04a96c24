import type { Document, IndexDescription, Sort } from 'mongodb';

/**
 * The queries the services run per request and per event, shaped as they run them, on collections
 * holding `n` documents, with the indexes the services create (their `ensureIndexes`). Both the
 * index-use test (ferretdb-indexes.int.test.ts) and `pnpm bench:data` run these, so they measure
 * the same shapes. Each generator spreads the data so that the query's answer stays the same size
 * as `n` grows: what grows is only what the query must not read.
 *
 * Not here, because they are not MongoDB queries or not per request: sessions and refresh tokens
 * (Redis); the analytics roll-up's read of the facts since its last roll (every 15 s, a few
 * minutes' facts); the catalogue search by name (a case-insensitive substring, read in full on any
 * MongoDB; the catalogue does not grow with load).
 */
export interface HotCollection {
  name: string;
  /** As the services create them. */
  indexes: IndexDescription[];
  /** The i-th of n documents. */
  document(i: number, n: number): Document;
}

export interface HotPath {
  /** What it is, as the figures name it. */
  name: string;
  /** Where the services run it. */
  source: string;
  collection: string;
  /** The k-th run's query against n documents. */
  query(k: number, n: number): { filter: Document; sort?: Sort; limit?: number; count?: boolean };
}

const HOUR_MS = 3_600_000;
/** The analytics facts are 36 s apart, so any hour holds 100 of them however long the history. */
const FACT_SPACING_MS = 36_000;
/** One fact in a hundred was recorded late (its minute's rollup leaves it to the fact itself). */
const LATE_EVERY = 100;
const MINUTE_MS = 60_000;
const minuteKey = (t: number) => new Date(t).toISOString().slice(0, 16);
const NOW = Date.UTC(2026, 11, 1);
/** Orders belong to 100 customers: at 100,000 orders each has 1,000, and a page still shows 10. */
const CUSTOMERS = 100;
const PRODUCTS = 50;
/** Padding that gives documents the size of the services' own (an order with its outbox is ~600 B). */
const PAD = 'x'.repeat(400);

const at = (i: number) => new Date(NOW - i * 1000);

export const HOT_COLLECTIONS: HotCollection[] = [
  {
    name: 'users',
    indexes: [{ key: { email: 1 }, unique: true }],
    document: (i) => ({ _id: `user-${i}`, email: `user${i}@example.com`, name: `User ${i}`, pad: PAD }),
  },
  {
    name: 'processed_events',
    indexes: [],
    document: (i) => ({ _id: `analytics-service:event-${i}`, at: at(i) }),
  },
  {
    name: 'order_requests',
    indexes: [{ key: { open: 1, createdAt: 1 } }, { key: { abandonedAt: 1 } }],
    // The last 10 claims are still open (unanswered); every other has its outcome.
    document: (i, n) => ({
      _id: `user-${i % CUSTOMERS}:key-${i}`,
      hash: PAD.slice(0, 64),
      orderId: `order-${i}`,
      createdAt: at(n - i),
      ...(i >= n - 10 ? { open: true } : { outcome: { status: 201, body: { id: `order-${i}` } } }),
    }),
  },
  {
    name: 'inventory_ledger',
    indexes: [{ key: { ref: 1 }, unique: true }, { key: { productId: 1, seq: -1 } }],
    document: (i) => {
      const productId = `product-${i % PRODUCTS}`;
      const seq = Math.floor(i / PRODUCTS) + 1;
      return {
        _id: `${productId}:${seq}`,
        productId,
        seq,
        delta: -1,
        balance: 1_000_000 - seq,
        reason: 'reserve',
        ref: `reserve:order-${i}:${productId}`,
        at: at(i),
      };
    },
  },
  {
    name: 'orders',
    indexes: [{ key: { userId: 1, createdAt: -1 } }, { key: { outboxPending: 1 } }],
    // The 5 newest orders still wait for the outbox relay.
    document: (i, n) => ({
      _id: `order-${i}`,
      userId: `user-${i % CUSTOMERS}`,
      createdAt: at(n - i),
      lines: [{ productId: `product-${i % PRODUCTS}`, quantity: 1, priceCents: 1999 }],
      totalCents: 1999,
      outbox: { events: [{ id: `event-${i}`, pad: PAD }], sentAt: i >= n - 5 ? null : at(n - i) },
      ...(i >= n - 5 ? { outboxPending: true } : {}),
    }),
  },
  {
    name: 'order_status',
    indexes: [{ key: { orderId: 1 } }],
    document: (i) => ({ _id: `order-${i}:paid`, orderId: `order-${i}`, status: 'paid', at: at(i) }),
  },
  {
    name: 'facts',
    indexes: [
      { key: { type: 1, at: 1 } },
      { key: { type: 1, productId: 1 } },
      { key: { at: 1 } },
      { key: { lateMinute: 1 } },
    ],
    document: (i) => ({
      _id: `fact-${i}`,
      type: i % 2 ? 'order.line' : 'order.placed',
      at: new Date(NOW - i * FACT_SPACING_MS),
      productId: `product-${i % PRODUCTS}`,
      name: `Product ${i % PRODUCTS}`,
      quantity: 1,
      revenueCents: 1999,
      ...(i % LATE_EVERY === 7 ? { lateMinute: minuteKey(NOW - i * FACT_SPACING_MS) } : {}),
    }),
  },
  {
    name: 'fact_type_sums',
    indexes: [],
    // A minute's sums per fact type each, newest first (ten minutes and hours: `t:` and `h:`).
    document: (i) => {
      const start = NOW - (i + 1) * MINUTE_MS;
      return {
        _id: `m:${minuteKey(start)}`,
        tier: 'minute',
        start: new Date(start),
        hour: new Date(start).toISOString().slice(0, 13),
        types: [
          { type: 'order.placed', count: 3, revenueCents: 5997 },
          { type: 'order.line', count: 3, revenueCents: 5997 },
        ],
      };
    },
  },
];

/** A document of one of the n in the sample, spread over the keys the queries ask for. */
const pick = (k: number, n: number) => (k * 7919) % n;
const lastHour = { $gte: new Date(NOW - HOUR_MS), $lt: new Date(NOW + 1) };

export const HOT_PATHS: HotPath[] = [
  {
    name: 'sign-in: user by email',
    source: 'user: UserRepository.findByEmail',
    collection: 'users',
    query: (k, n) => ({ filter: { email: `user${pick(k, n)}@example.com` } }),
  },
  {
    name: 'processed-event check (_id)',
    source: 'kit: runIdempotentConsumer, every event',
    collection: 'processed_events',
    query: (k, n) => ({ filter: { _id: `analytics-service:event-${pick(k, n)}` } }),
  },
  {
    name: 'idempotency claim read back (_id)',
    source: 'order: OrderStore.claim',
    collection: 'order_requests',
    query: (k, n) => ({ filter: { _id: `user-${pick(k, n) % CUSTOMERS}:key-${pick(k, n)}` } }),
  },
  {
    name: 'sweep: unanswered order requests',
    source: 'order: OrderStore.unansweredBefore, every 60 s',
    collection: 'order_requests',
    query: () => ({
      filter: { open: true, outcome: { $exists: false }, createdAt: { $lt: new Date(NOW + HOUR_MS) } },
      limit: 100,
    }),
  },
  {
    name: "ledger: a product's current stock",
    source: 'product: InventoryLedger.latest, every reservation',
    collection: 'inventory_ledger',
    query: (k) => ({ filter: { productId: `product-${k % PRODUCTS}` }, sort: { seq: -1 }, limit: 1 }),
  },
  {
    name: 'ledger: movement applied before (ref)',
    source: 'product: InventoryLedger.append, on a retry',
    collection: 'inventory_ledger',
    query: (k, n) => ({ filter: { ref: `reserve:order-${pick(k, n)}:product-${pick(k, n) % PRODUCTS}` } }),
  },
  {
    name: "ledger: a reservation's movements",
    source: 'product: InventoryLedger.release',
    collection: 'inventory_ledger',
    query: (k, n) => ({
      filter: { ref: { $gte: `reserve:order-${pick(k, n)}:`, $lt: `reserve:order-${pick(k, n)};` } },
    }),
  },
  {
    name: "orders: a customer's newest page",
    source: 'order: OrderStore.listForUser, GET /api/orders',
    collection: 'orders',
    query: (k) => ({
      filter: { userId: `user-${k % CUSTOMERS}` },
      sort: { createdAt: -1, _id: 1 },
      limit: 11,
    }),
  },
  {
    name: 'outbox relay: pending outboxes',
    source: 'kit: OutboxRelay.relayOnce, after every write',
    collection: 'orders',
    query: () => ({ filter: { outboxPending: true }, limit: 100 }),
  },
  {
    name: "orders: a page's statuses ($in)",
    source: 'order: OrderStore.statusOf, GET /api/orders',
    collection: 'order_status',
    query: (k, n) => ({
      filter: { orderId: { $in: Array.from({ length: 10 }, (_, j) => `order-${(pick(k, n) + j) % n}`) } },
    }),
  },
  {
    name: 'analytics: latest facts of the hour',
    source: 'analytics: FactStore.latest, dashboard',
    collection: 'facts',
    query: () => ({ filter: { type: 'order.placed', at: lastHour }, sort: { at: -1 }, limit: 10 }),
  },
  {
    name: 'analytics: facts not rolled up yet',
    source: 'analytics: RollupStore.tallies, dashboard, sales, top products',
    collection: 'facts',
    query: () => ({ filter: { at: { $gte: new Date(NOW - 4 * MINUTE_MS), $lt: new Date(NOW + 1) } } }),
  },
  {
    name: "analytics: late facts of an hour's minutes",
    source: 'analytics: RollupStore.tallies, dashboard, sales, top products',
    collection: 'facts',
    query: () => ({
      filter: { lateMinute: { $gte: minuteKey(NOW - HOUR_MS), $lt: minuteKey(NOW) } },
    }),
  },
  {
    name: "analytics: an hour's minute sums (_id range)",
    source: 'analytics: RollupStore.tallies, dashboard, sales, top products',
    collection: 'fact_type_sums',
    query: () => ({ filter: { _id: { $gte: `m:${minuteKey(NOW - HOUR_MS)}`, $lt: `m:${minuteKey(NOW)}` } } }),
  },
  {
    name: "analytics: a product's name",
    source: 'analytics: FactStore.productNames, dashboard',
    collection: 'facts',
    query: (k) => ({
      filter: { type: 'order.line', productId: `product-${(2 * k + 1) % PRODUCTS}` },
      limit: 1,
    }),
  },
];
