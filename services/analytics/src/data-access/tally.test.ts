import { describe, expect, it } from 'vitest';
import { Tallies, Tally } from './tally.ts';

describe('Tally', () => {
  it('when facts and stored bodies are added, then counts, revenue and product units add up, and only order lines count as products', () => {
    const t = new Tally()
      .add({ type: 'order.paid', revenueCents: 500 })
      .add({ type: 'order.line', productId: 'p', quantity: 2, revenueCents: 300 })
      .add({ type: 'order.placed', productId: 'p', quantity: 9 })
      .addBody({
        types: [{ type: 'order.paid', count: 2, revenueCents: 1000 }],
        products: [{ productId: 'p', units: 1, revenueCents: 150 }],
      });
    expect([
      t.count('order.paid'),
      t.revenueCents('order.paid'),
      t.count('order.placed'),
      t.count('x'),
    ]).toEqual([3, 1500, 1, 0]);
    expect(t.productTotals()).toEqual([{ productId: 'p', units: 3, revenueCents: 450 }]);
  });

  it('when tallies per hour are totalled, then the total is their sum', () => {
    const all = new Tallies();
    all.of('2026-01-01T00').add({ type: 'a', revenueCents: 1 });
    all.of('2026-01-01T01').add({ type: 'a', revenueCents: 2 });
    all.of('2026-01-01T00').add({ type: 'a' });
    expect([all.total().count('a'), all.total().revenueCents('a'), all.byKey.size]).toEqual([3, 3, 2]);
  });
});
