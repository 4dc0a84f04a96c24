import { randomInt, randomUUID } from 'node:crypto';
import { openProvider } from '@stackdrill/stack';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, hourKey, MINUTE_MS } from './buckets.ts';
import { FactStore, type Fact } from './facts.ts';
import { RollupStore } from './rollups.ts';
import { Tallies } from './tally.ts';

// Each test has a database of its own and a clock of its own, set to a day in the past.
let mongo: MongoClient;
const dbs: Db[] = [];

beforeAll(async () => {
  mongo = await MongoClient.connect((await openProvider('test')).endpoints().mongo.uri);
});

afterAll(async () => {
  for (const db of dbs) await db.dropDatabase();
  await mongo?.close();
});

const TYPES = ['order.placed', 'order.paid', 'order.line', 'user.registered', 'notification.sent'];
const PRODUCTS = ['p-1', 'p-2', 'p-3'];

function setUp() {
  const db = mongo.db(`rollups_it_${randomUUID().slice(0, 8)}`);
  dbs.push(db);
  const clock = { now: 0 };
  const facts = new FactStore(db, () => clock.now);
  const store = () => new RollupStore(db, facts, () => clock.now);
  return { db, clock, facts, rollups: store(), store };
}

/** `n` facts over three hours from `t0`, each recorded within 50 s of its time, or (`lateShare`) 2 to 90 minutes after. */
function someFacts(t0: number, n: number, lateShare: number) {
  return Array.from({ length: n }, (_, i) => {
    const at = t0 + randomInt(3 * HOUR_MS);
    const type = TYPES[i % TYPES.length]!;
    const fact: Fact = {
      _id: `fact-${i}`,
      type,
      at: new Date(at),
      revenueCents: randomInt(1, 5000),
      ...(type === 'order.line'
        ? { productId: PRODUCTS[i % PRODUCTS.length], quantity: randomInt(1, 4) }
        : {}),
    };
    const late = Math.random() < lateShare;
    return { fact, recordedAt: at + (late ? randomInt(2, 90) * MINUTE_MS : randomInt(50_000)) };
  });
}

/** The tallies as plain data, in one order. */
function plain(tallies: Tallies) {
  return Object.fromEntries(
    [...tallies.byKey]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([hour, t]) => {
        const body = t.body();
        return [
          hour,
          {
            types: body.types.sort((a, b) => a.type.localeCompare(b.type)),
            products: body.products.sort((a, b) => a.productId.localeCompare(b.productId)),
          },
        ];
      }),
  );
}

/** What the facts in the collection add up to over [from, to), read one by one. */
async function fromTheFacts(db: Db, from: number, to: number) {
  const tallies = new Tallies();
  const rows = db.collection<Fact>('facts').find({ at: { $gte: new Date(from), $lt: new Date(to) } });
  for await (const f of rows) tallies.of(hourKey(f.at)).add(f);
  return plain(tallies);
}

/** Ranges around and inside [t0, t0 + 3 h): aligned and not, empty, inside one minute, and random. */
function ranges(t0: number) {
  const fixed: [number, number][] = [
    [t0 - HOUR_MS, t0 + 4 * HOUR_MS],
    [t0, t0 + HOUR_MS],
    [t0 + 17 * MINUTE_MS + 123, t0 + 2 * HOUR_MS + 41 * MINUTE_MS + 9],
    [t0 + 5 * MINUTE_MS + 1, t0 + 5 * MINUTE_MS + 59_000],
    [t0 + HOUR_MS, t0 + HOUR_MS],
  ];
  const random = Array.from({ length: 12 }, () => {
    const a = t0 - HOUR_MS + randomInt(5 * HOUR_MS);
    return [a, a + randomInt(4 * HOUR_MS)] as [number, number];
  });
  return [...fixed, ...random];
}

/** A read of both sums (per type, per product) as plain data per hour, as the reference gives it. */
async function readBoth(rollups: RollupStore, from: Date, to: Date) {
  const types = plain(await rollups.tallies(from, to, 'types'));
  const products = plain(await rollups.tallies(from, to, 'products'));
  return Object.fromEntries(
    Object.entries(types).map(([hour, t]) => [
      hour,
      { types: t.types, products: products[hour]?.products ?? [] },
    ]),
  );
}

async function expectSameAsTheFacts(db: Db, rollups: RollupStore, t0: number) {
  for (const [from, to] of ranges(t0)) {
    const read = await readBoth(rollups, new Date(from), new Date(to));
    expect(read, `[${new Date(from).toISOString()}, ${new Date(to).toISOString()})`).toEqual(
      await fromTheFacts(db, from, to),
    );
  }
}

/**
 * Records the facts recorded in (since, until], in that order, rolling up every minute of the clock
 * (the service rolls every 15 s) from `since`.
 */
async function recordAndRoll(
  since: number,
  facts: FactStore,
  rollers: RollupStore[],
  clock: { now: number },
  sample: ReturnType<typeof someFacts>,
  until: number,
) {
  await facts.ensureIndexes();
  const byRecording = [...sample]
    .filter((f) => f.recordedAt > since)
    .sort((a, b) => a.recordedAt - b.recordedAt);
  let nextRoll = since;
  const rollTo = async (t: number) => {
    for (; nextRoll <= t; nextRoll += 60_000) {
      clock.now = nextRoll;
      await Promise.all(rollers.map((r) => r.roll()));
    }
  };
  for (const { fact, recordedAt } of byRecording) {
    if (recordedAt > until) break;
    await rollTo(recordedAt);
    clock.now = recordedAt;
    await facts.record(fact);
  }
  await rollTo(until);
  clock.now = until;
}

const T0 = () => Date.UTC(2021, randomInt(12), 1 + randomInt(27), randomInt(20));

describe('fact rollups', () => {
  it('when facts arrive on time and late while the minutes and hours are rolled up, then every range adds up to what its facts do, before, during and after', async () => {
    const { db, clock, facts, rollups } = setUp();
    const t0 = T0();
    const sample = someFacts(t0, 600, 0.1);
    // Half-way (rollups cover part of the facts, the rest is read from them), then long after.
    await recordAndRoll(t0 - 1, facts, [rollups], clock, sample, t0 + 95 * MINUTE_MS);
    await expectSameAsTheFacts(db, rollups, t0);
    await recordAndRoll(t0 + 95 * MINUTE_MS, facts, [rollups], clock, sample, t0 + 5 * HOUR_MS);
    await expectSameAsTheFacts(db, rollups, t0);
    expect(await rollups.typeSums.countDocuments({ tier: 'hour' })).toBeGreaterThanOrEqual(3);
    expect(await rollups.typeSums.countDocuments({ tier: 'tenMinutes' })).toBeGreaterThanOrEqual(18);
    expect(await rollups.productSums.countDocuments({ tier: 'hour' })).toBeGreaterThanOrEqual(3);
  });

  it('when two replicas roll up the same minutes at once, then each fact is counted once', async () => {
    const { db, clock, facts, rollups, store } = setUp();
    const t0 = T0();
    await recordAndRoll(t0 - 1, facts, [rollups, store()], clock, someFacts(t0, 300, 0.05), t0 + 5 * HOUR_MS);
    await expectSameAsTheFacts(db, rollups, t0);
  });

  it('when the minutes are rolled up, then a read counts the rollups, not the facts on time (a fact taken away still counts), and a late fact from the fact itself', async () => {
    const { db, clock, facts, rollups } = setUp();
    const t0 = T0();
    const onTime = someFacts(t0, 200, 0);
    await recordAndRoll(t0 - 1, facts, [rollups], clock, onTime, t0 + 5 * HOUR_MS);
    const whole = [new Date(t0 - HOUR_MS), new Date(t0 + 4 * HOUR_MS)] as const;
    const before = await readBoth(rollups, ...whole);
    expect(before).toEqual(await fromTheFacts(db, whole[0].getTime(), whole[1].getTime()));

    await db.collection('facts').deleteOne({ _id: 'fact-0' } as object);
    expect(await readBoth(rollups, ...whole)).toEqual(before);

    const late: Fact = {
      _id: 'late-1',
      type: 'order.paid',
      at: new Date(t0 + 30 * MINUTE_MS),
      revenueCents: 700,
    };
    await facts.record(late);
    expect((await db.collection<Fact>('facts').findOne({ _id: 'late-1' }))?.lateMinute).toBeDefined();
    const after = await readBoth(rollups, ...whole);
    const hour = hourKey(late.at);
    const paid = (t: Record<string, { types: { type: string; count: number }[] }>) =>
      t[hour]?.types.find((x) => x.type === 'order.paid')?.count ?? 0;
    expect(paid(after)).toBe(paid(before) + 1);
  });
});
