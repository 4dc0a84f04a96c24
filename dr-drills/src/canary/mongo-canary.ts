import type { Endpoints } from '@stackdrill/stack';
import { MongoClient, type Collection } from 'mongodb';
import type { CanaryStore } from './canary.ts';

/** The database the drills' canaries write to: none of the services' own. */
export const DRILL_DB = 'stackdrill_drills';

/**
 * Canary records in MongoDB, acknowledged with `w: majority` (what the services write with), one
 * document per sequence number, its `_id` the number: a retried insert cannot make a second one.
 * Server selection is short, so writes fail during a crash instead of queueing for 30 s.
 */
export class MongoCanary implements CanaryStore {
  readonly datastore = 'mongo';
  readonly where: string;
  private client: MongoClient | undefined;
  private collection: Collection<{ _id: number; sentAt: Date }> | undefined;

  constructor(
    private readonly endpoints: Endpoints['mongo'],
    run: string,
  ) {
    this.where = `${DRILL_DB}.canary_${run}`;
  }

  async open(): Promise<void> {
    this.client = new MongoClient(this.endpoints.uri, {
      serverSelectionTimeoutMS: 1500,
      connectTimeoutMS: 1500,
      socketTimeoutMS: 3000,
      retryWrites: true,
    });
    await this.client.connect();
    this.collection = this.client.db(DRILL_DB).collection(this.where.slice(DRILL_DB.length + 1));
  }

  async write(seq: number): Promise<void> {
    try {
      await this.collection!.insertOne({ _id: seq, sentAt: new Date() }, { writeConcern: { w: 'majority' } });
    } catch (error) {
      // A retry of a write that had landed: it is there, so it is acknowledged.
      if ((error as { code?: number }).code !== 11000) throw error;
    }
  }

  async stored(): Promise<number[]> {
    const docs = await this.collection!.find({}, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id);
  }

  async close(): Promise<void> {
    if (!this.client) return;
    await this.collection?.drop().catch(() => {});
    await this.client.close();
  }
}
