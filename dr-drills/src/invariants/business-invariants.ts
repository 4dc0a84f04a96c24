import { serviceDb, type Provider } from '@stackdrill/stack';
import { MongoClient, type Db } from 'mongodb';
import type { Check } from '../drill.ts';
import { abbreviate } from '../drills/judging.ts';

/** What the invariants read: the services' own databases, from the documents they write. */
interface Reader {
  orders: Db;
  notifications: Db;
  analytics: Db;
  products: Db;
}

/**
 * The shop's invariants since `since`, read from the services' databases once their consumers have
 * caught up: each paid order has exactly one confirmation per channel and is counted once by
 * analytics; no product's stock ledger goes below zero or breaks its chain; and each order the
 * given list says was paid is there, paid. `paidOrders` are those a client saw acknowledged.
 */
export async function checkInvariants(
  provider: Provider,
  options: { since: Date; paidOrders: string[]; acceptedMissing: string[]; catchUpS?: number },
): Promise<Check[]> {
  const client = new MongoClient(provider.endpoints('host').mongo.uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  try {
    const db: Reader = {
      orders: client.db(serviceDb('order')),
      notifications: client.db(serviceDb('notification')),
      analytics: client.db(serviceDb('analytics')),
      products: client.db(serviceDb('product')),
    };
    const paid = await paidSince(db, options.since);
    // Consumers are asynchronous: give them time to handle every paid order before judging.
    const caughtUp = await untilHandled(db, paid, options.catchUpS ?? 60);
    return [
      acceptedNotLost(options.acceptedMissing),
      await acknowledgedPaid(db, options.paidOrders),
      await oneConfirmationEach(db, paid, options.since, caughtUp),
      await countedOnce(db, paid, caughtUp),
      await noOversell(db, options.since),
    ];
  } finally {
    await client.close();
  }
}

async function paidSince(db: Reader, since: Date): Promise<string[]> {
  const rows = await db.orders
    .collection<{ orderId: string; status: string; at: Date }>('order_status')
    .find({ status: 'paid', at: { $gte: since } }, { projection: { orderId: 1 } })
    .toArray();
  return rows.map((r) => r.orderId);
}

/** Orders paid since the start whose confirmation and analytics fact exist: waits up to `boundS`. */
async function untilHandled(db: Reader, paid: string[], boundS: number): Promise<boolean> {
  const deadline = Date.now() + boundS * 1000;
  for (;;) {
    const confirmed = await confirmationsByOrder(db, new Date(0), paid);
    const counted = await paidFactsByOrder(db, paid);
    if (paid.every((id) => confirmed.has(id) && (counted.get(id) ?? 0) > 0)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function acceptedNotLost(missing: string[]): Check {
  return {
    name: 'no accepted order lost',
    ok: missing.length === 0,
    detail: missing.length
      ? `${missing.length} order(s) answered 201 are unknown to the order service: ${abbreviate(missing as unknown as number[])}`
      : 'every order the canary saw accepted is in the order service',
  };
}

async function acknowledgedPaid(db: Reader, paidOrders: string[]): Promise<Check> {
  const rows = await db.orders
    .collection<{ orderId: string }>('order_status')
    .find({ orderId: { $in: paidOrders }, status: 'paid' }, { projection: { orderId: 1 } })
    .toArray();
  const held = new Set(rows.map((r) => r.orderId));
  const missing = paidOrders.filter((id) => !held.has(id));
  return {
    name: 'every acknowledged payment is recorded',
    ok: missing.length === 0,
    detail: `${paidOrders.length - missing.length} of the ${paidOrders.length} payments answered 200 are recorded as paid`,
  };
}

/**
 * Confirmations per order and channel (the order id is in the message: the document is keyed by
 * event and channel), of the given orders only.
 */
async function confirmationsByOrder(
  db: Reader,
  since: Date,
  orders: string[],
): Promise<Map<string, Map<string, number>>> {
  const wanted = new Set(orders);
  const docs = await db.notifications
    .collection<{ kind: string; channel: string; text: string; createdAt: Date }>('notifications')
    .find({ kind: 'order_confirmation', createdAt: { $gte: since } }, { projection: { text: 1, channel: 1 } })
    .toArray();
  const count = new Map<string, Map<string, number>>();
  for (const doc of docs) {
    const id = /order ([0-9a-f-]{36})/.exec(doc.text)?.[1];
    if (!id || !wanted.has(id)) continue;
    const channels = count.get(id) ?? new Map<string, number>();
    channels.set(doc.channel, (channels.get(doc.channel) ?? 0) + 1);
    count.set(id, channels);
  }
  return count;
}

async function oneConfirmationEach(
  db: Reader,
  paid: string[],
  since: Date,
  caughtUp: boolean,
): Promise<Check> {
  const confirmed = await confirmationsByOrder(db, since, paid);
  const twice = [...confirmed].flatMap(([id, channels]) =>
    [...channels].filter(([, n]) => n > 1).map(([channel]) => `${id} ${channel}`),
  );
  const none = paid.filter((id) => !confirmed.has(id));
  return {
    name: 'every paid order has exactly one confirmation',
    ok: twice.length === 0 && none.length === 0,
    detail:
      `${paid.length} orders paid during the drill; ${twice.length} confirmed more than once on a channel` +
      (twice.length ? ` (${twice.slice(0, 4).join(', ')})` : '') +
      `, ${none.length} never confirmed` +
      (caughtUp ? '' : ' (the notification consumer had not caught up within the bound)'),
  };
}

async function paidFactsByOrder(db: Reader, orders: string[]): Promise<Map<string, number>> {
  const rows = await db.analytics
    .collection<{ type: string; orderId: string }>('facts')
    .find({ type: 'order.paid', orderId: { $in: orders } }, { projection: { orderId: 1 } })
    .toArray();
  const count = new Map<string, number>();
  for (const row of rows) count.set(row.orderId, (count.get(row.orderId) ?? 0) + 1);
  return count;
}

async function countedOnce(db: Reader, paid: string[], caughtUp: boolean): Promise<Check> {
  const counted = await paidFactsByOrder(db, paid);
  const twice = paid.filter((id) => (counted.get(id) ?? 0) > 1);
  const never = paid.filter((id) => (counted.get(id) ?? 0) === 0);
  return {
    name: 'every paid order is counted once by analytics',
    ok: twice.length === 0 && never.length === 0,
    detail:
      `${paid.length} paid; ${twice.length} counted more than once, ${never.length} not counted` +
      (caughtUp ? '' : ' (the analytics consumer had not caught up within the bound)'),
  };
}

/** The stock ledger of every product it touched since `since`: a gapless chain, never below zero. */
async function noOversell(db: Reader, since: Date): Promise<Check> {
  const ledger = db.products.collection<{
    productId: string;
    seq: number;
    delta: number;
    balance: number;
    at: Date;
  }>('inventory_ledger');
  const touched = await ledger.distinct('productId', { at: { $gte: since } });
  const broken: string[] = [];
  for (const productId of touched) {
    const entries = await ledger.find({ productId }).sort({ seq: 1 }).toArray();
    let balance = 0;
    entries.forEach((e, i) => {
      balance += e.delta;
      if (e.seq !== i + 1 || e.balance !== balance || e.balance < 0)
        broken.push(`${productId} at seq ${e.seq}`);
    });
  }
  return {
    name: 'no stock oversold',
    ok: broken.length === 0,
    detail: broken.length
      ? `the stock ledger breaks or goes below zero: ${broken.slice(0, 4).join(', ')}`
      : `${touched.length} products' stock ledgers are gapless chains that never go below zero`,
  };
}
