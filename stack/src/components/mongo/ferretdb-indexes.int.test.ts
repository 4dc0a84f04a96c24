import { randomUUID } from 'node:crypto';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProvider } from '../../providers/registry.ts';
import { HOT_COLLECTIONS, HOT_PATHS, type HotPath } from './hot-paths.ts';

// The MongoDB stand-in is patched at build (stack/src/doctor/patches/ferretdb-*.patch) so that its
// SQLite backend answers the hot paths' query shapes from an index. FerretDB's explain returns
// SQLite's own EXPLAIN QUERY PLAN, which says SCAN (every row read) or SEARCH … USING INDEX, and
// whether the sort was pushed down. The answers are compared with the same query on a copy of the
// collection without indexes, which FerretDB answers entirely in its own handler.
const N = 300;
let client: MongoClient;
let ferretdb: boolean;
const dbName = `indexes_it_${randomUUID().slice(0, 8)}`;
const db = () => client.db(dbName);

beforeAll(async () => {
  const { mongo } = (await openProvider('test')).endpoints();
  client = await MongoClient.connect(mongo.uri);
  ferretdb = 'ferretdbVersion' in (await client.db('admin').command({ buildInfo: 1 }));
  for (const { name, indexes, document } of HOT_COLLECTIONS) {
    const docs = Array.from({ length: N }, (_, i) => document(i, N));
    if (indexes.length) await db().collection(name).createIndexes(indexes);
    await db().collection(name).insertMany(docs);
    await db().collection(`${name}_plain`).insertMany(docs);
  }
});

afterAll(async () => {
  await client?.db(dbName).dropDatabase();
  await client?.close();
});

interface Explained {
  queryPlanner?: { Plan?: string[] };
  sortPushdown?: boolean;
}

const run = (collection: Collection, { filter, sort, limit, count }: ReturnType<HotPath['query']>) =>
  count
    ? collection.countDocuments(filter)
    : collection
        .find(filter)
        .sort(sort ?? {})
        .limit(limit ?? 0)
        .toArray();

describe('the MongoDB stand-in answers the hot paths from its indexes', () => {
  it.each(HOT_PATHS.map((path) => [path.name, path] as const))(
    'when the services run "%s", then SQLite searches an index, and the answer is the unindexed one',
    async (_name, path) => {
      const query = path.query(3, N);
      const answer = await run(db().collection(path.collection), query);
      const reference = await run(db().collection(`${path.collection}_plain`), query);
      // Without a sort the order of an answer is the plan's: compare them as sets.
      const unordered = (a: typeof answer) =>
        Array.isArray(a) && !query.sort
          ? [...a].sort((x, y) => String(x._id).localeCompare(String(y._id)))
          : a;
      expect(unordered(answer)).toEqual(unordered(reference));
      expect(Array.isArray(answer) ? answer.length : answer, 'the query answers something').toBeGreaterThan(
        0,
      );

      // A real mongod plans by itself; the plan format below is FerretDB's.
      if (!ferretdb) return;
      const explained = (await db()
        .collection(path.collection)
        .find(query.filter)
        .sort(query.sort ?? {})
        .limit(query.limit ?? 0)
        .explain()) as Explained;
      const plan = (explained.queryPlanner?.Plan ?? []).join('\n');
      expect(plan).toMatch(/SEARCH .* USING (COVERING )?INDEX/);
      expect(plan).not.toMatch(/\bSCAN\b/);
      if (query.sort) {
        expect(explained.sortPushdown, 'the sort is applied by SQLite').toBe(true);
        // Only a tie-break (the last sort key) may be sorted apart from the index.
        expect(plan).not.toMatch(/USE TEMP B-TREE FOR ORDER BY/);
      }
    },
  );

  it('when a document puts an array in an indexed field, then the stand-in refuses it and names the field', async (context) => {
    // MongoDB indexes arrays (multikey); the stand-in's expression indexes hold one value per document.
    if (!ferretdb) context.skip();
    const orders = db().collection<{ _id: string } & Document>('orders');
    await expect(orders.insertOne({ _id: randomUUID(), userId: ['a', 'b'] })).rejects.toThrow(
      /field "userId" is indexed and holds an array/,
    );
    await expect(orders.updateOne({ _id: 'order-1' }, { $set: { userId: ['a'] } })).rejects.toThrow(
      /field "userId" is indexed and holds an array/,
    );
    await orders.insertOne({ _id: randomUUID(), tags: ['a'] });
    await expect(orders.createIndex({ tags: 1 })).rejects.toThrow(
      /field "tags" is indexed and holds an array/,
    );
  });
});
