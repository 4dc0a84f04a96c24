import { MongoClient, type AnyBulkWriteOperation, type Document, type Filter } from 'mongodb';
import { listDump, readCollection } from './dump-layout.ts';
import { shopCollections } from './mongo-backup.ts';

export interface MongoRestoreFigures {
  collections: number;
  /** Documents inserted from the full backup, replaced or added by the incrementals, deleted by them. */
  inserted: number;
  replaced: number;
  deleted: number;
}

const BATCH = 500;

/**
 * Restores a chain of backups into the MongoDB at `uri`: the full one (inserted), then each
 * incremental in order (its documents replace or add, its deletions delete), then the indexes of
 * the newest backup that names each collection (after the data: no index is built document by
 * document). Meant for a fresh instance: what is there already stays unless a backup replaces it.
 */
export async function restoreMongo(
  uri: string,
  chain: readonly string[],
  onProgress: (line: string) => void = () => {},
): Promise<MongoRestoreFigures> {
  const figures: MongoRestoreFigures = { collections: 0, inserted: 0, replaced: 0, deleted: 0 };
  const indexes = new Map<string, { db: string; collection: string; specs: Document[] }>();
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  try {
    for (const [step, dir] of chain.entries()) {
      for (const [dbName, collections] of await listDump(dir)) {
        for (const name of collections) {
          const { documents, indexes: specs, deletedIds } = await readCollection(dir, dbName, name);
          const collection = client.db(dbName).collection(name);
          indexes.set(`${dbName}.${name}`, { db: dbName, collection: name, specs });
          if (step === 0) {
            for (let i = 0; i < documents.length; i += BATCH)
              figures.inserted += (
                await collection.insertMany(documents.slice(i, i + BATCH), { ordered: false })
              ).insertedCount;
          } else {
            const replace: AnyBulkWriteOperation[] = documents.map((d) => ({
              replaceOne: { filter: { _id: d._id }, replacement: d, upsert: true },
            }));
            for (let i = 0; i < replace.length; i += BATCH)
              await collection.bulkWrite(replace.slice(i, i + BATCH), { ordered: false });
            figures.replaced += replace.length;
            if (deletedIds.length)
              figures.deleted += (
                await collection.deleteMany({ _id: { $in: deletedIds } } as Filter<Document>)
              ).deletedCount;
          }
        }
      }
      onProgress(`MongoDB: ${step === 0 ? 'full backup' : `incremental ${step}`} applied`);
    }
    for (const { db, collection, specs } of indexes.values()) {
      const wanted = specs
        .filter((s) => s.name !== '_id_')
        .map(({ v: _v, ns: _ns, ...spec }: Document) => spec);
      if (wanted.length) await client.db(db).command({ createIndexes: collection, indexes: wanted });
      figures.collections++;
    }
    return figures;
  } finally {
    await client.close();
  }
}

/**
 * The kit's outbox (services/kit/src/events/outbox.ts): a document carries its events and, once the
 * relay published them, `outbox.sentAt`; `outboxPending` marks the ones still to send.
 */
const SENT_AT = 'outbox.sentAt';

/**
 * Kafka is not backed up (its DR is replication): events published shortly before the backup may
 * not have reached every consumer, and the restored region starts with empty topics. So the
 * outboxes sent since `since` are marked pending again and the relays publish them once more; the
 * consumers skip what they had handled (they record every event id). Returns how many documents.
 */
export async function replayOutboxes(uri: string, since: Date): Promise<number> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  try {
    let marked = 0;
    for (const { dbName, name } of await shopCollections(client)) {
      const result = await client
        .db(dbName)
        .collection(name)
        .updateMany({ [SENT_AT]: { $gte: since } }, { $set: { outboxPending: true } });
      marked += result.modifiedCount;
    }
    return marked;
  } finally {
    await client.close();
  }
}
