import { MongoClient, type Collection, type Db } from 'mongodb';
import { traceMongoCommands, tracesExported } from '../client-spans.ts';

export interface MongoHandle {
  client: MongoClient;
  db: Db;
  ping(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * The official driver with a replica-set URI and majority writes, as every service connects. Server
 * selection gives up after a few seconds so a request fails with 503 instead of hanging. While
 * traces are exported, every command gets a client span.
 */
export async function connectMongo(uri: string, dbName: string): Promise<MongoHandle> {
  const traced = tracesExported();
  const client = new MongoClient(uri, {
    writeConcern: { w: 'majority' },
    retryWrites: true,
    serverSelectionTimeoutMS: 3000,
    connectTimeoutMS: 3000,
    // A server that accepts connections but never answers (frozen, partitioned) must fail the
    // request (503), not hang it: the driver's default socket timeout is infinite.
    socketTimeoutMS: 5000,
    maxPoolSize: 20,
    monitorCommands: traced,
  });
  if (traced) traceMongoCommands(client);
  await client.connect();
  const db = client.db(dbName);
  return {
    client,
    db,
    ping: () => db.command({ ping: 1 }),
    close: () => client.close(),
  };
}

/** E11000: the unique index said no. The building block of every invariant here. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000;
}

/** Inserts unless a document with the same `_id` exists; true when this call inserted it. */
export async function insertOnce<T extends { _id: string }>(
  collection: Collection<T>,
  doc: T,
): Promise<boolean> {
  try {
    await collection.insertOne(doc as Parameters<Collection<T>['insertOne']>[0]);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** Inserts each document unless one with its `_id` exists (inserted by another writer); how many were new. */
export async function insertManyOnce<T extends { _id: string }>(
  collection: Collection<T>,
  docs: T[],
): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    const inserted = await collection.insertMany(
      docs as unknown as Parameters<Collection<T>['insertMany']>[0],
      { ordered: false },
    );
    return inserted.insertedCount;
  } catch (error) {
    const { writeErrors, insertedCount } = error as { writeErrors?: unknown; insertedCount?: number };
    const errors = [writeErrors ?? []].flat() as unknown[];
    if (errors.length === 0 || !errors.every(isDuplicateKey)) throw error;
    return insertedCount ?? docs.length - errors.length;
  }
}
