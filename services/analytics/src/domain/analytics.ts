import type { EventEnvelope } from '@stackdrill/kit';
import type { Fact, FactStore } from '../data-access/facts.ts';
import type { LiveCounters } from '../data-access/live-counters.ts';
import type { RollupStore } from '../data-access/rollups.ts';

const DAY_MS = 86_400_000;
const MAX_RANGE_DAYS = 366;
/** Orders the dashboard lists one by one, newest first: an admin can find a given order there. */
export const RECENT_ORDERS = 20;

/**
 * The window an answer covers (it says which in `from` and `to`): by default the last 7 days up to
 * now; a longer one than 366 days is cut to the 366 days before `to`, and one that ends before it
 * starts is empty. Never a refusal: these are rules across fields, which the document cannot state.
 */
export function rangeOf(from?: string, to?: string): { from: Date; to: Date } {
  const end = to ? new Date(to) : new Date();
  const earliest = end.getTime() - MAX_RANGE_DAYS * DAY_MS;
  const start = from ? new Date(from) : new Date(end.getTime() - 7 * DAY_MS);
  return { from: new Date(Math.min(Math.max(start.getTime(), earliest), end.getTime())), to: end };
}

/**
 * Read models from events, built by this service alone (it never reads another service's data).
 * Every event becomes facts inserted once by id; the queries add up the facts' rollups (and the
 * facts not rolled up yet).
 */
export class AnalyticsDomain {
  constructor(
    private readonly facts: FactStore,
    private readonly rollups: RollupStore,
    private readonly live: LiveCounters,
  ) {}

  async handle(event: EventEnvelope): Promise<void> {
    const at = new Date(event.time);
    if (Number.isNaN(at.getTime())) return;
    const data = event.data as Record<string, unknown>;
    const base: Fact = { _id: event.id, type: event.type, at };
    switch (event.type) {
      case 'order.placed': {
        const lines = (data.lines ?? []) as {
          productId: string;
          name: string;
          unitPriceCents: number;
          quantity: number;
        }[];
        for (const line of lines) {
          await this.facts.record({
            ...base,
            _id: `${event.id}:${line.productId}`,
            type: 'order.line',
            orderId: String(data.orderId),
            productId: line.productId,
            name: line.name,
            quantity: line.quantity,
            revenueCents: line.unitPriceCents * line.quantity,
          });
        }
        if (
          await this.facts.record({
            ...base,
            orderId: String(data.orderId),
            revenueCents: Number(data.totalCents),
          })
        ) {
          await this.live.bump('orders', at.getTime());
        }
        return;
      }
      case 'order.paid':
        await this.facts.record({
          ...base,
          orderId: String(data.orderId),
          revenueCents: Number(data.totalCents),
        });
        return;
      case 'product.viewed':
        return this.countViews([event]);
      case 'user.registered':
      case 'order.payment_failed':
      case 'notification.sent':
      case 'notification.failed':
        await this.facts.record(base);
        return;
      default:
      // Not an event this service counts (other messages on the topics are ignored).
    }
  }

  /** Views are only live figures: a fact per view would grow without bound under load. */
  async countViews(views: EventEnvelope[]): Promise<void> {
    const times = views.map((v) => new Date(v.time).getTime()).filter((t) => !Number.isNaN(t));
    await this.live.bumpAll('views', times);
  }

  async sales(range: { from: Date; to: Date }, interval: 'hour' | 'day') {
    const tallies = await this.rollups.tallies(range.from, range.to, 'types');
    const buckets = new Map<string, { orders: number; revenueCents: number }>();
    for (const [hour, tally] of tallies.byKey) {
      const orders = tally.count('order.paid');
      if (orders === 0) continue;
      const key = interval === 'day' ? hour.slice(0, 10) : hour;
      const mine = buckets.get(key) ?? { orders: 0, revenueCents: 0 };
      buckets.set(key, {
        orders: mine.orders + orders,
        revenueCents: mine.revenueCents + tally.revenueCents('order.paid'),
      });
    }
    return {
      interval,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      buckets: [...buckets.keys()].sort().map((key) => ({
        start: interval === 'day' ? `${key}T00:00:00.000Z` : `${key}:00:00.000Z`,
        ...buckets.get(key)!,
      })),
    };
  }

  async topProducts(range: { from: Date; to: Date }, limit: number) {
    const products = (await this.rollups.tallies(range.from, range.to, 'products')).total().productTotals();
    const rows = products
      .sort((a, b) => b.units - a.units || a.productId.localeCompare(b.productId))
      .slice(0, limit);
    const names = await this.facts.productNames(rows.map((r) => r.productId));
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      items: rows.map((r) => ({
        productId: r.productId,
        name: names.get(r.productId) ?? '',
        units: r.units,
        revenueCents: r.revenueCents,
      })),
    };
  }

  async dashboard(range: { from: Date; to: Date }) {
    const total = (await this.rollups.tallies(range.from, range.to, 'types')).total();
    const [
      ordersPlaced,
      ordersPaid,
      revenueCents,
      customers,
      paymentFailures,
      notificationsSent,
      notificationsFailed,
    ] = [
      total.count('order.placed'),
      total.count('order.paid'),
      total.revenueCents('order.paid'),
      total.count('user.registered'),
      total.count('order.payment_failed'),
      total.count('notification.sent'),
      total.count('notification.failed'),
    ];
    const latest = await this.facts.latest('order.placed', range.from, range.to, RECENT_ORDERS);
    return {
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      kpis: {
        ordersPlaced,
        ordersPaid,
        revenueCents,
        customers,
        paymentFailures,
        notificationsSent,
        notificationsFailed,
      },
      recentOrders: latest.map((f) => ({
        orderId: f.orderId ?? '',
        totalCents: f.revenueCents ?? 0,
        placedAt: f.at.toISOString(),
      })),
      live: {
        ordersLast5Min: await this.live.lastMinutes('orders', 5),
        productViewsLast5Min: await this.live.lastMinutes('views', 5),
      },
      generatedAt: new Date().toISOString(),
    };
  }
}
