import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON, Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bsonFile,
  collectionChecksum,
  documentHash,
  idKey,
  listDump,
  readCollection,
  splitBson,
  writeCollection,
} from './dump-layout.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("mongodump's layout", () => {
  it('when a collection is written and read back, then every type survives as it was (no number becomes another)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'dump-'));
    const docs = [
      {
        _id: new ObjectId(),
        n: new Int32(1),
        l: Long.fromNumber(2 ** 40),
        d: new Double(1),
        m: Decimal128.fromString('9.99'),
      },
      { _id: 'order-7', at: new Date(0), nested: { list: [new Int32(3)] } },
    ];
    const raw = docs.map((d) => Buffer.from(BSON.serialize(d)));
    await writeCollection(dir, 'orders', 'orders', {
      documents: raw,
      indexes: [{ v: new Int32(2), key: { _id: new Int32(1) }, name: '_id_' }],
      deletedIds: ['order-1'],
    });

    expect(await listDump(dir)).toEqual(new Map([['orders', ['orders']]]));
    const back = await readCollection(dir, 'orders', 'orders');
    expect(back.documents.map((d) => Buffer.from(BSON.serialize(d)))).toEqual(raw);
    expect(back.deletedIds).toEqual(['order-1']);
    expect(back.indexes[0]!.name).toBe('_id_');
    // mongorestore reads the .bson as concatenated documents
    expect(splitBson(await readFile(bsonFile(dir, 'orders', 'orders')))).toHaveLength(2);
  });

  it('when a .bson file is cut short, then reading it says where', () => {
    const bytes = Buffer.from(BSON.serialize({ _id: 1 }));
    expect(() => splitBson(bytes.subarray(0, bytes.length - 2))).toThrow(/at byte 0 claims/);
  });

  it('when checksums are made, then the order documents were read in does not matter, their bytes do', () => {
    const a = Buffer.from(BSON.serialize({ _id: 1, x: 1 }));
    const b = Buffer.from(BSON.serialize({ _id: 2, x: 2 }));
    const one = new Map([
      [idKey(1), documentHash(a)],
      [idKey(2), documentHash(b)],
    ]);
    const other = new Map([...one].reverse());
    expect(collectionChecksum(other)).toBe(collectionChecksum(one));
    const changed = new Map(one).set(idKey(2), documentHash(Buffer.from(BSON.serialize({ _id: 2, x: 3 }))));
    expect(collectionChecksum(changed)).not.toBe(collectionChecksum(one));
  });

  it('when ids of different types print alike, then their keys still differ', () => {
    expect(idKey(1)).not.toBe(idKey('1'));
    expect(idKey(new Int32(1))).not.toBe(idKey(Long.fromNumber(1)));
  });
});
