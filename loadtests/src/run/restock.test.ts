import { describe, expect, it } from 'vitest';
import { PROFILES } from '../model/profiles.ts';
import { stockNeeded } from './restock.ts';

describe('stock for a run', () => {
  it("when the soak's 30 VUs run 2 hours, then each of 20 products holds what a tenth of its bounded iterations can buy, twice", () => {
    // 30 VUs × 7,200 s × at most 10 iterations a VU-second, 10 % of them checkouts, over 20 products, ×2.
    expect(stockNeeded(PROFILES.soak, 20)).toBe(21_600);
  });

  it('when a profile never checks out, then no stock is needed', () => {
    expect(stockNeeded({ ...PROFILES.average, mix: { browse: 1 } }, 20)).toBe(0);
  });

  it('when the bound is huge, then the stock stays within what one adjustment may add', () => {
    expect(stockNeeded({ ...PROFILES.soak, mix: { 'checkout-and-pay': 1 } }, 1)).toBe(1_000_000);
  });
});
