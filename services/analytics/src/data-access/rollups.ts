import type { Collection, Db } from 'mongodb';
import { insertManyOnce, isDuplicateKey } from '@stackdrill/kit';
import { floorMinute, HOUR_MS, hourKey, MINUTE_MS, minuteKey } from './buckets.ts';
import type { CountedFactRow, FactStore } from './facts.ts';
import { Tallies, Tally, type ProductTotals, type TypeTotals } from './tally.ts';

/**
 * A minute is rolled up this long after it ends. The margin beyond LATE_AFTER_MS (2 minutes) is
 * what the replicas' clocks may differ by, plus an insert's latency: a fact recorded on time must
 * be in the collection before any replica rolls its minute up.
 */
export const ROLL_AFTER_MS = 3 * 60_000;

/**
 * The rollup tiers, smallest first: minutes from the facts, ten minutes from minutes, hours from
 * ten minutes. A read takes the largest buckets its range holds whole, so it reads at most 9
 * minutes and 5 ten-minute buckets at each end and one bucket per hour between.
 */
const TIERS = [
  { name: 'minute', prefix: 'm', ms: MINUTE_MS, key: minuteKey },
  { name: 'tenMinutes', prefix: 't', ms: 10 * MINUTE_MS, key: minuteKey },
  { name: 'hour', prefix: 'h', ms: HOUR_MS, key: hourKey },
] as const;
type Tier = (typeof TIERS)[number];
type TierName = Tier['name'];

/** What a read adds up: the sums per fact type (dashboard, sales) or per product (top products). */
export type TallyOf = 'types' | 'products';

interface Bucket {
  /** `<tier prefix>:<bucket start>`, e.g. `m:2026-12-01T22:05`, `h:2026-12-01T22`: inserted once. */
  _id: string;
  tier: TierName;
  start: Date;
  hour: string;
}
/** A bucket's counts and revenue per fact type, of its facts recorded on time. */
export interface TypeSums extends Bucket {
  types: TypeTotals[];
}
/** A bucket's units and revenue per product (only for buckets with order lines). */
export interface ProductSums extends Bucket {
  products: ProductTotals[];
}

/** How far each tier reaches: every bucket before it that has facts has its documents. */
type Coverage = { _id: 'facts' } & Partial<Record<TierName, Date>>;

const bucketId = (tier: Tier, t: number) => `${tier.prefix}:${tier.key(t)}`;
/** The buckets of a tier starting in [from, to) (from its first when `from` is absent). */
const idRange = (tier: Tier, from: number | undefined, to: number) => ({
  _id: { $gte: from === undefined ? `${tier.prefix}:` : bucketId(tier, from), $lt: bucketId(tier, to) },
});
const floorTo = (ms: number, t: number) => Math.floor(t / ms) * ms;
const ceilTo = (ms: number, t: number) => Math.ceil(t / ms) * ms;

/**
 * Sums kept per closed minute, ten minutes and hour, so a read of any range costs about the same
 * however many facts it spans: the largest whole buckets of its range, the facts of its partial
 * minutes and of the last minutes not rolled up yet, and the few facts recorded late. The sums per
 * type and per product are apart, so the dashboard never reads the products. No update is ever made
 * to a sum: each is inserted once with its bucket as `_id` (replicas rolling at once insert the same
 * one), and the coverage only moves a claim that the buckets before it exist (a stale write moves
 * it back, which costs reads, never a count).
 */
export class RollupStore {
  readonly typeSums: Collection<TypeSums>;
  readonly productSums: Collection<ProductSums>;
  private readonly coverage: Collection<Coverage>;

  /** `clock` is now (a test sets it). */
  constructor(
    db: Db,
    private readonly facts: FactStore,
    private readonly clock: () => number = Date.now,
  ) {
    this.typeSums = db.collection<TypeSums>('fact_type_sums');
    this.productSums = db.collection<ProductSums>('fact_product_sums');
    this.coverage = db.collection<Coverage>('fact_sums_coverage');
  }

  /** Rolls up the minutes closed ROLL_AFTER_MS ago, then each larger tier from the one below; says how many buckets it inserted per tier. */
  async roll(): Promise<Record<TierName, number>> {
    const coverage = (await this.coverage.findOne({ _id: 'facts' })) ?? { _id: 'facts' };
    const inserted = { minute: 0, tenMinutes: 0, hour: 0 };
    let below: number | undefined = floorMinute(this.clock() - ROLL_AFTER_MS);
    for (const [i, tier] of TIERS.entries()) {
      if (below === undefined) break;
      const through = coverage[tier.name]?.getTime();
      const target = floorTo(tier.ms, below);
      if (through === undefined || through < target) {
        const sums =
          i === 0
            ? await this.sumFacts(through, target)
            : await this.sumTier(TIERS[i - 1]!, tier, through, target);
        inserted[tier.name] = await this.insertAll(tier, sums);
        await this.moveCoverage(tier.name, new Date(target));
        below = target;
      } else {
        below = through;
      }
    }
    return inserted;
  }

  /** The facts dated in [from, to), tallied per hour: their sums per type, or per product. */
  async tallies(from: Date, to: Date, of: TallyOf): Promise<Tallies> {
    const coverage = (await this.coverage.findOne({ _id: 'facts' })) ?? { _id: 'facts' };
    const [start, end] = [from.getTime(), to.getTime()];
    const tallies = new Tallies();
    const reads: Promise<void>[] = [];
    const addFacts = async (rows: AsyncIterable<CountedFactRow>) => {
      for await (const fact of rows) tallies.of(hourKey(fact.at)).add(fact);
    };
    const factsBetween = (a: number, b: number) => {
      if (a < b) reads.push(addFacts(this.facts.between(a, b)));
    };
    const sumsBetween = (tier: Tier, a: number, b: number) => {
      if (a >= b) return;
      reads.push(
        (async () => {
          if (of === 'types') {
            for await (const sums of this.typeSumsBetween(tier, a, b))
              tallies.of(sums.hour).addBody({ types: sums.types, products: [] });
          } else {
            for await (const sums of this.productSumsBetween(tier, a, b))
              tallies.of(sums.hour).addBody({ types: [], products: sums.products });
          }
        })(),
      );
    };
    // The largest whole buckets of [a, b), then the tiers below for what is left at each end.
    const cover = (a: number, b: number, i: number) => {
      if (a >= b) return;
      const tier = TIERS[i]!;
      if (i === 0) return sumsBetween(tier, a, b);
      const first = ceilTo(tier.ms, a);
      const last = Math.min(floorTo(tier.ms, b), coverage[tier.name]?.getTime() ?? -Infinity);
      if (first >= last) return cover(a, b, i - 1);
      sumsBetween(tier, first, last);
      cover(a, first, i - 1);
      cover(last, b, i - 1);
    };

    // Whole minutes the sums cover: [first, covered); the rest is read from the facts.
    const first = ceilTo(MINUTE_MS, start);
    const covered = Math.min(floorMinute(end), coverage.minute?.getTime() ?? -Infinity);
    if (first >= covered) {
      factsBetween(start, end);
    } else {
      factsBetween(start, first);
      factsBetween(covered, end);
      reads.push(addFacts(this.facts.lateBetween(first, covered)));
      cover(first, covered, TIERS.length - 1);
    }
    await Promise.all(reads);
    return tallies;
  }

  /** The on-time facts dated in [from, to) (from the first when `from` is absent), per minute. */
  private async sumFacts(from: number | undefined, to: number): Promise<Map<number, Tally>> {
    const byMinute = new Map<number, Tally>();
    for await (const fact of this.facts.between(from, to)) {
      if (fact.lateMinute !== undefined) continue;
      const minute = floorMinute(fact.at.getTime());
      byMinute.set(minute, (byMinute.get(minute) ?? new Tally()).add(fact));
    }
    return byMinute;
  }

  /** The buckets of `lower` in [from, to), added up per bucket of `tier`. */
  private async sumTier(lower: Tier, tier: Tier, from: number | undefined, to: number) {
    const byBucket = new Map<number, Tally>();
    const add = (start: Date, body: Parameters<Tally['addBody']>[0]) => {
      const bucket = floorTo(tier.ms, start.getTime());
      byBucket.set(bucket, (byBucket.get(bucket) ?? new Tally()).addBody(body));
    };
    for await (const s of this.typeSumsBetween(lower, from, to))
      add(s.start, { types: s.types, products: [] });
    for await (const s of this.productSumsBetween(lower, from, to))
      add(s.start, { types: [], products: s.products });
    return byBucket;
  }

  private typeSumsBetween(tier: Tier, from: number | undefined, to: number): AsyncIterable<TypeSums> {
    return this.typeSums.find(idRange(tier, from, to));
  }

  private productSumsBetween(tier: Tier, from: number | undefined, to: number): AsyncIterable<ProductSums> {
    return this.productSums.find(idRange(tier, from, to));
  }

  /** Inserts each bucket's sums unless they exist (another replica's, identical); how many buckets were new. */
  private async insertAll(tier: Tier, tallies: Map<number, Tally>): Promise<number> {
    const buckets = [...tallies].map(([start, tally]) => ({
      bucket: { _id: bucketId(tier, start), tier: tier.name, start: new Date(start), hour: hourKey(start) },
      body: tally.body(),
    }));
    const types = buckets.map(({ bucket, body }) => ({ ...bucket, types: body.types }));
    const products = buckets.flatMap(({ bucket, body }) =>
      body.products.length > 0 ? [{ ...bucket, products: body.products }] : [],
    );
    await insertManyOnce(this.productSums, products);
    return insertManyOnce(this.typeSums, types);
  }

  private async moveCoverage(tier: TierName, to: Date): Promise<void> {
    try {
      await this.coverage.updateOne({ _id: 'facts' }, { $set: { [tier]: to } }, { upsert: true });
    } catch (error) {
      // Two first rolls both inserting the document: the other one's is there now.
      if (!isDuplicateKey(error)) throw error;
      await this.coverage.updateOne({ _id: 'facts' }, { $set: { [tier]: to } });
    }
  }
}
