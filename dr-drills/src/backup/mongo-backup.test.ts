import { describe, expect, it } from 'vitest';
import { readOrder } from './mongo-backup.ts';

describe('the order a backup reads collections in', () => {
  it("when a database has consumers' records of handled events, then they are read before the data they vouch for", () => {
    const order = readOrder([
      { dbName: 'analytics', name: 'facts' },
      { dbName: 'orders', name: 'orders' },
      { dbName: 'analytics', name: 'processed_events' },
      { dbName: 'analytics', name: 'buckets' },
    ]);
    expect(order.map((c) => `${c.dbName}.${c.name}`)).toEqual([
      'analytics.processed_events',
      'analytics.buckets',
      'analytics.facts',
      'orders.orders',
    ]);
  });
});
