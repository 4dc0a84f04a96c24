/** What facts add up to: per type a count and revenue, per product the units and revenue of its order lines. */
export interface TypeTotals {
  type: string;
  count: number;
  revenueCents: number;
}

export interface ProductTotals {
  productId: string;
  units: number;
  revenueCents: number;
}

/** The stored form, as a rollup document holds it. */
export interface TallyBody {
  types: TypeTotals[];
  products: ProductTotals[];
}

export interface CountedFact {
  type: string;
  revenueCents?: number;
  productId?: string;
  quantity?: number;
}

export class Tally {
  private readonly types = new Map<string, TypeTotals>();
  private readonly products = new Map<string, ProductTotals>();

  add(fact: CountedFact): this {
    this.addType({ type: fact.type, count: 1, revenueCents: fact.revenueCents ?? 0 });
    if (fact.type === 'order.line' && fact.productId !== undefined) {
      this.addProduct({
        productId: fact.productId,
        units: fact.quantity ?? 0,
        revenueCents: fact.revenueCents ?? 0,
      });
    }
    return this;
  }

  addBody(body: TallyBody): this {
    for (const t of body.types) this.addType(t);
    for (const p of body.products) this.addProduct(p);
    return this;
  }

  count(type: string): number {
    return this.types.get(type)?.count ?? 0;
  }

  revenueCents(type: string): number {
    return this.types.get(type)?.revenueCents ?? 0;
  }

  productTotals(): ProductTotals[] {
    return [...this.products.values()];
  }

  body(): TallyBody {
    return { types: [...this.types.values()], products: [...this.products.values()] };
  }

  private addType(t: TypeTotals): void {
    const mine = this.types.get(t.type) ?? { type: t.type, count: 0, revenueCents: 0 };
    this.types.set(t.type, {
      ...mine,
      count: mine.count + t.count,
      revenueCents: mine.revenueCents + t.revenueCents,
    });
  }

  private addProduct(p: ProductTotals): void {
    const mine = this.products.get(p.productId) ?? { productId: p.productId, units: 0, revenueCents: 0 };
    this.products.set(p.productId, {
      ...mine,
      units: mine.units + p.units,
      revenueCents: mine.revenueCents + p.revenueCents,
    });
  }
}

/** Tallies by a bucket key (the hour, for the sales per hour and per day). */
export class Tallies {
  readonly byKey = new Map<string, Tally>();

  of(key: string): Tally {
    let tally = this.byKey.get(key);
    if (!tally) this.byKey.set(key, (tally = new Tally()));
    return tally;
  }

  /** Everything, in one tally. */
  total(): Tally {
    const all = new Tally();
    for (const t of this.byKey.values()) all.addBody(t.body());
    return all;
  }
}
