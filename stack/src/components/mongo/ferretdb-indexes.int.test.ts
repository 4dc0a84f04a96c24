import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeProvider } from '../../providers/native/native-provider.ts';

// The MongoDB stand-in is patched at build (stack/src/doctor/patches/ferretdb-*.patch) so that its
// SQLite backend answers the hot paths' query shapes from an index. FerretDB's explain returns
// SQLite's own EXPLAIN QUERY PLAN, which says SCAN (every row read) or SEARCH … USING INDEX.
let client: MongoClient;
let ferretdb: boolean;
const dbName = `indexes_it_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const { mongo } = (await NativeProvider.open('test')).endpoints();
  client = await MongoClient.connect(mongo.uri);
  ferretdb = 'ferretdbVersion' in (await client.db('admin').command({ buildInfo: 1 }));
});

afterAll(async () => {
  await client?.db(dbName).dropDatabase();
  await client?.close();
});

/** The plan lines of a find, as FerretDB's SQLite backend reports them. */
async function planOf(collection: string, filter: object): Promise<string[]> {
  const explained = (await client.db(dbName).collection(collection).find(filter).explain()) as {
    queryPlanner?: { Plan?: string[] };
  };
  return explained.queryPlanner?.Plan ?? [];
}

describe('the MongoDB stand-in answers from its indexes', () => {
  it('when a document is looked up by _id, then SQLite searches the _id index instead of scanning', async (context) => {
    // A real mongod uses its _id index by itself; the plan format below is FerretDB's.
    if (!ferretdb) context.skip();
    const orders = client.db(dbName).collection<{ _id: string; n: number }>('orders');
    await orders.insertMany(Array.from({ length: 200 }, (_, n) => ({ _id: randomUUID(), n })));
    const plan = await planOf('orders', { _id: randomUUID() });
    expect(plan.join('\n')).toMatch(/SEARCH .* USING INDEX/);
    expect(plan.join('\n')).not.toMatch(/\bSCAN\b/);
  });
});
