import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BSON, type Document } from 'mongodb';

const { EJSON } = BSON;

/**
 * mongodump's directory layout, which `mongorestore` reads: `<dir>/<db>/<collection>.bson` (the
 * documents as concatenated BSON) and `<collection>.metadata.json` (its options and indexes, in
 * canonical Extended JSON). An incremental adds `<collection>.deleted.bson`: the `_id`s removed
 * since the previous backup (mongorestore ignores files it does not know).
 */
export interface CollectionMetadata {
  options: Document;
  indexes: Document[];
  uuid: string;
  collectionName: string;
  type: 'collection';
}

export const bsonFile = (dir: string, db: string, collection: string) => join(dir, db, `${collection}.bson`);
const metadataFile = (dir: string, db: string, collection: string) =>
  join(dir, db, `${collection}.metadata.json`);
const deletedFile = (dir: string, db: string, collection: string) =>
  join(dir, db, `${collection}.deleted.bson`);

/** Writes one collection: its documents as given (raw BSON, byte for byte), its metadata, its deletions. */
export async function writeCollection(
  dir: string,
  db: string,
  collection: string,
  contents: { documents: Buffer[]; indexes: Document[]; deletedIds?: unknown[] },
): Promise<void> {
  await mkdir(join(dir, db), { recursive: true });
  await writeFile(bsonFile(dir, db, collection), Buffer.concat(contents.documents));
  const metadata: CollectionMetadata = {
    options: {},
    indexes: contents.indexes,
    uuid: '',
    collectionName: collection,
    type: 'collection',
  };
  await writeFile(metadataFile(dir, db, collection), EJSON.stringify(metadata, { relaxed: false }));
  if (contents.deletedIds?.length)
    await writeFile(
      deletedFile(dir, db, collection),
      Buffer.concat(contents.deletedIds.map((_id) => BSON.serialize({ _id }))),
    );
}

/** What a dump directory holds: database → collections. */
export async function listDump(dir: string): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const db of await readdir(dir, { withFileTypes: true })) {
    if (!db.isDirectory()) continue;
    const files = await readdir(join(dir, db.name));
    found.set(
      db.name,
      files.filter((f) => f.endsWith('.metadata.json')).map((f) => f.slice(0, -'.metadata.json'.length)),
    );
  }
  return found;
}

/** One collection of a dump: its documents (types kept as BSON has them), indexes and deletions. */
export async function readCollection(
  dir: string,
  db: string,
  collection: string,
): Promise<{ documents: Document[]; indexes: Document[]; deletedIds: unknown[] }> {
  const metadata = EJSON.parse(await readFile(metadataFile(dir, db, collection), 'utf8'), {
    relaxed: false,
  }) as CollectionMetadata;
  const deleted = await readFile(deletedFile(dir, db, collection)).catch(() => Buffer.alloc(0));
  return {
    documents: splitBson(await readFile(bsonFile(dir, db, collection)).catch(() => Buffer.alloc(0))).map(
      deserialize,
    ),
    indexes: metadata.indexes,
    deletedIds: splitBson(deleted).map((d) => deserialize(d)._id),
  };
}

/** Concatenated BSON documents, one buffer each (each starts with its own int32 length). */
export function splitBson(bytes: Buffer): Buffer[] {
  const documents: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const length = bytes.readInt32LE(at);
    if (length < 5 || at + length > bytes.length)
      throw new Error(
        `a BSON document at byte ${at} claims ${length} bytes, beyond the file's ${bytes.length}`,
      );
    documents.push(bytes.subarray(at, at + length));
    at += length;
  }
  return documents;
}

/** Deserialised without promoting any type, so writing it back stores what was read. */
export const deserialize = (bytes: Buffer): Document =>
  BSON.deserialize(bytes, {
    promoteValues: false,
    promoteLongs: false,
    promoteBuffers: false,
    bsonRegExp: true,
  });

/** A document's identity across backups: its `_id` in canonical Extended JSON. */
export const idKey = (_id: unknown): string => EJSON.stringify({ _id }, { relaxed: false });

/** One document's fingerprint: its bytes. */
export const documentHash = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('base64url');

/** A collection's checksum: its documents' fingerprints in `_id` order, whatever order they were read in. */
export function collectionChecksum(hashes: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const key of [...hashes.keys()].sort()) hash.update(`${key}\n${hashes.get(key)!}\n`);
  return hash.digest('hex');
}
