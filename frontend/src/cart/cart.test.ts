import { describe, expect, it } from 'vitest';
import {
  addLine,
  itemCount,
  MAX_QUANTITY,
  parseCart,
  removeLine,
  setQuantity,
  totalCents,
  type CartLine,
} from './cart.ts';

const mug: CartLine = { productId: 'p1', name: 'Mug', priceCents: 1250, quantity: 1 };
const pot: CartLine = { productId: 'p2', name: 'Pot', priceCents: 600, quantity: 2 };

describe('the cart', () => {
  it('when the same product is added twice, then it is one line with the quantities summed', () => {
    const cart = addLine(addLine([], mug), { ...mug, quantity: 2 });
    expect(cart).toEqual([{ ...mug, quantity: 3 }]);
  });

  it('when quantities go past what an order line takes, then they stop at the limit', () => {
    expect(addLine([mug], { ...mug, quantity: 500 })[0]!.quantity).toBe(MAX_QUANTITY);
    expect(setQuantity([mug], 'p1', 1000)[0]!.quantity).toBe(MAX_QUANTITY);
  });

  it('when a quantity is set to 0 or removed, then the line goes', () => {
    expect(setQuantity([mug, pot], 'p1', 0)).toEqual([pot]);
    expect(removeLine([mug, pot], 'p2')).toEqual([mug]);
  });

  it('totals and counts every line', () => {
    expect(totalCents([mug, pot])).toBe(2450);
    expect(itemCount([mug, pot])).toBe(3);
  });

  it('when the stored cart is damaged, then it reads as empty or keeps only valid lines', () => {
    expect(parseCart('not json')).toEqual([]);
    expect(parseCart('{"a":1}')).toEqual([]);
    expect(parseCart(JSON.stringify([mug, { productId: 3 }]))).toEqual([mug]);
    expect(parseCart(null)).toEqual([]);
  });
});
