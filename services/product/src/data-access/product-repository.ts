import type { Collection, Db, Filter, Sort } from 'mongodb';
import { isDuplicateKey } from '@stackdrill/kit';

export interface ProductDocument {
  _id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  priceCents: number;
  createdAt: Date;
}

export type ProductSort = 'price_asc' | 'price_desc' | 'name' | 'newest';

export interface ProductQuery {
  q?: string;
  category?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
  sort: ProductSort;
  limit: number;
  /** Where the previous page ended: the sort value and id of its last item. */
  after?: { value: string | number; id: string };
}

export class SkuTaken extends Error {}

/** field, direction and how to read a document's sort value, per sort order */
const SORTS: Record<ProductSort, { field: keyof ProductDocument; dir: 1 | -1 }> = {
  price_asc: { field: 'priceCents', dir: 1 },
  price_desc: { field: 'priceCents', dir: -1 },
  name: { field: 'name', dir: 1 },
  newest: { field: 'createdAt', dir: -1 },
};

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The catalogue in MongoDB, with keyset (cursor) pagination: stable under inserts, no skips. */
export class ProductRepository {
  readonly collection: Collection<ProductDocument>;

  constructor(db: Db) {
    this.collection = db.collection<ProductDocument>('products');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ sku: 1 }, { unique: true });
    await this.collection.createIndex({ category: 1, priceCents: 1 });
    // One per sort (SORTS), so a page of the whole catalogue is read in order and stops at its limit.
    await this.collection.createIndex({ priceCents: 1 });
    await this.collection.createIndex({ name: 1 });
    await this.collection.createIndex({ createdAt: -1 });
  }

  async insert(product: ProductDocument): Promise<void> {
    try {
      await this.collection.insertOne(product);
    } catch (error) {
      if (isDuplicateKey(error)) throw new SkuTaken(product.sku);
      throw error;
    }
  }

  findById(id: string): Promise<ProductDocument | null> {
    return this.collection.findOne({ _id: id });
  }

  findBySku(sku: string): Promise<ProductDocument | null> {
    return this.collection.findOne({ sku });
  }

  sortValue(doc: ProductDocument, sort: ProductSort): string | number {
    const value = doc[SORTS[sort].field];
    return value instanceof Date ? value.toISOString() : (value as string | number);
  }

  /** One page; asks for one extra item to know whether another page follows. */
  async search(query: ProductQuery): Promise<{ items: ProductDocument[]; more: boolean }> {
    const { field, dir } = SORTS[query.sort];
    const filter: Filter<ProductDocument> = {};
    // Text search is a case-insensitive substring match on the name: user input is escaped, never
    // interpreted as a pattern.
    if (query.q) filter.name = { $regex: escapeRegex(query.q), $options: 'i' };
    if (query.category) filter.category = query.category;
    if (query.minPriceCents !== undefined || query.maxPriceCents !== undefined) {
      filter.priceCents = {
        ...(query.minPriceCents !== undefined ? { $gte: query.minPriceCents } : {}),
        ...(query.maxPriceCents !== undefined ? { $lte: query.maxPriceCents } : {}),
      };
    }
    const conditions: Filter<ProductDocument>[] = [filter];
    if (query.after) {
      const value = field === 'createdAt' ? new Date(query.after.value) : query.after.value;
      const beyond = dir === 1 ? '$gt' : '$lt';
      conditions.push({
        $or: [{ [field]: { [beyond]: value } }, { [field]: value, _id: { $gt: query.after.id } }],
      } as Filter<ProductDocument>);
    }
    const sort: Sort = { [field]: dir, _id: 1 };
    const docs = await this.collection
      .find(conditions.length > 1 ? { $and: conditions } : filter)
      .sort(sort)
      .limit(query.limit + 1)
      .toArray();
    return { items: docs.slice(0, query.limit), more: docs.length > query.limit };
  }
}
