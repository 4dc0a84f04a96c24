import { delimiter, join } from 'node:path';
import { pathExists, TOOLS } from '@stackdrill/toolkit';
import { BSON, MongoClient, type Collection, type Document } from 'mongodb';
import { collectionChecksum, deserialize, documentHash, idKey, writeCollection } from './dump-layout.ts';

const { EJSON } = BSON;

/** Per collection (`db.collection`), per document (`idKey`): its fingerprint at a backup. */
export type DocumentIndex = Record<string, Record<string, string>>;

export interface CollectionFigures {
  /** Documents in the collection at the backup, and their checksum (what a restore must show). */
  count: number;
  checksum: string;
  /** Documents this backup wrote (all of them in a full one; changed or new in an incremental). */
  written: number;
  /** `_id`s this backup recorded as deleted since the previous one. */
  deleted: number;
}

export interface MongoBackup {
  /** Who wrote the dump: mongodump itself when installed (full backups), else this module. */
  tool: 'mongodump' | 'stackdrill';
  collections: Record<string, CollectionFigures>;
  /** Every document's fingerprint: the next incremental compares with it. */
  index: DocumentIndex;
}

/** Databases that belong to the server, not to the shop. */
const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);

/**
 * The kit's consumers (services/kit/src/events/consumer.ts) record an event's id in
 * `processed_events` after its effects are written, and skip a recorded event. A backup reads
 * collections one after another, so a database's record of handled events is read before anything
 * else in it: whatever it says was handled had its effects written before, so they are read after.
 * The other way round, a backup held "handled" for an event whose effect it had missed, and the
 * restore's replay of that event was skipped (the backup-restore drill found it: a sale not counted).
 */
const READ_FIRST = 'processed_events';

export function readOrder<T extends { dbName: string; name: string }>(collections: T[]): T[] {
  return collections.toSorted((a, b) =>
    a.dbName !== b.dbName
      ? a.dbName.localeCompare(b.dbName)
      : Number(b.name === READ_FIRST) - Number(a.name === READ_FIRST) || a.name.localeCompare(b.name),
  );
}

/** Every collection of the shop's databases (the drills' own included), none of the server's. */
export async function shopCollections(client: MongoClient): Promise<{ dbName: string; name: string }[]> {
  const found: { dbName: string; name: string }[] = [];
  const { databases } = await client.db('admin').admin().listDatabases({ nameOnly: true });
  for (const { name: dbName } of databases) {
    if (SYSTEM_DATABASES.has(dbName)) continue;
    for (const { name } of await client.db(dbName).listCollections({}, { nameOnly: true }).toArray())
      if (!name.startsWith('system.')) found.push({ dbName, name });
  }
  return found;
}

/**
 * Backs up every database of the shop into `dir`, in mongodump's layout. Full (no `previous`):
 * every document. Incremental: the documents whose bytes changed or that are new since `previous`,
 * and the `_id`s that are gone. No oplog is needed (FerretDB has none): each backup reads every
 * collection once and compares fingerprints, and writes only what changed. Documents are read as
 * raw BSON and written byte for byte. Not a point-in-time snapshot (neither is mongodump without
 * `--oplog`): every write acknowledged before it began is in it.
 */
export async function backupMongo(uri: string, dir: string, previous?: DocumentIndex): Promise<MongoBackup> {
  // mongodump speaks no SOCKS5: through a gate (containers: `proxyHost` in the URI) this module dumps.
  const gated = new URLSearchParams(uri.split('?')[1] ?? '').has('proxyHost');
  const mongodump = previous || gated ? undefined : await onPath('mongodump');
  if (mongodump)
    await TOOLS.run(mongodump, [`--uri=${uri}`, `--out=${dir}`, '--quiet'], {
      timeoutMs: 30 * 60_000,
      what: 'the full MongoDB backup',
      component: 'mongo',
    });
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  try {
    const collections: Record<string, CollectionFigures> = {};
    const index: DocumentIndex = {};
    for (const { dbName, name } of readOrder(await shopCollections(client))) {
      const db = client.db(dbName);
      const ns = `${dbName}.${name}`;
      const before = previous?.[ns] ?? {};
      const changed: Buffer[] = [];
      const hashes = await fingerprints(db.collection(name), (key, hash, bytes) => {
        if (before[key] !== hash) changed.push(Buffer.from(bytes));
      });
      const deletedIds = previous
        ? Object.keys(before)
            .filter((key) => !hashes.has(key))
            .map((key) => (EJSON.parse(key, { relaxed: false }) as { _id: unknown })._id)
        : [];
      if (!mongodump) {
        const indexes = (await db.collection(name).listIndexes().toArray()) as Document[];
        await writeCollection(dir, dbName, name, { documents: changed, indexes, deletedIds });
      }
      collections[ns] = {
        count: hashes.size,
        checksum: collectionChecksum(hashes),
        written: changed.length,
        deleted: deletedIds.length,
      };
      index[ns] = Object.fromEntries(hashes);
    }
    return { tool: mongodump ? 'mongodump' : 'stackdrill', collections, index };
  } finally {
    await client.close();
  }
}

/** The fingerprints of every collection now: what a restored database is compared with. */
export async function checksumsOf(uri: string, namespaces: string[]): Promise<Record<string, string>> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  try {
    const sums: Record<string, string> = {};
    for (const ns of namespaces) {
      const [db, ...rest] = ns.split('.');
      sums[ns] = collectionChecksum(await fingerprints(client.db(db).collection(rest.join('.'))));
    }
    return sums;
  } finally {
    await client.close();
  }
}

/** Every document's fingerprint, by `_id`; `each` sees its bytes too. */
async function fingerprints(
  collection: Collection,
  each?: (key: string, hash: string, bytes: Buffer) => void,
): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  // raw: each document as the server sent its bytes, so nothing is re-encoded on the way.
  for await (const raw of collection.find({}, { raw: true })) {
    const bytes = raw as unknown as Buffer;
    const key = idKey(deserialize(bytes)._id);
    const hash = documentHash(bytes);
    hashes.set(key, hash);
    each?.(key, hash, bytes);
  }
  return hashes;
}

async function onPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const file = join(dir, command);
    if (await pathExists(file)) return file;
  }
  return undefined;
}
