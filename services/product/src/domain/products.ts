import { randomUUID } from 'node:crypto';
import { AppError, newEvent, type EventEnvelope, type Logger, type Principal } from '@stackdrill/kit';
import { InsufficientStock, type InventoryLedger } from '../data-access/inventory-ledger.ts';
import type { ProductCache } from '../data-access/product-cache.ts';
import {
  SkuTaken,
  type ProductDocument,
  type ProductRepository,
  type ProductSort,
} from '../data-access/product-repository.ts';

export interface ProductSummary {
  id: string;
  sku: string;
  name: string;
  category: string;
  priceCents: number;
}

export interface ProductDetail extends ProductSummary {
  description: string;
  createdAt: string;
  stock: number;
}

export interface SearchInput {
  q?: string | undefined;
  category?: string | undefined;
  minPriceCents?: number | undefined;
  maxPriceCents?: number | undefined;
  sort: ProductSort;
  limit: number;
  cursor?: string | undefined;
}

export interface ProductDomainDeps {
  products: ProductRepository;
  ledger: InventoryLedger;
  cache: ProductCache;
  /** Best-effort publishing for events that record no state change (views); never blocks the caller. */
  publish: (event: EventEnvelope) => void;
  logger: Logger;
  source: string;
}

const summary = (p: ProductDocument): ProductSummary => ({
  id: p._id,
  sku: p.sku,
  name: p.name,
  category: p.category,
  priceCents: p.priceCents,
});

/** Cursors are opaque to clients: the sort they belong to, plus where the last page ended. */
const encodeCursor = (sort: ProductSort, value: string | number, id: string) =>
  Buffer.from(JSON.stringify({ s: sort, v: value, id })).toString('base64url');

function decodeCursor(cursor: string, sort: ProductSort): { value: string | number; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      s?: unknown;
      v?: unknown;
      id?: unknown;
    };
    if (
      parsed.s === sort &&
      (typeof parsed.v === 'string' || typeof parsed.v === 'number') &&
      typeof parsed.id === 'string'
    ) {
      return { value: parsed.v, id: parsed.id };
    }
  } catch {
    // fall through
  }
  throw new AppError(
    400,
    'INVALID_CURSOR',
    'the cursor is not one this listing gave out (or belongs to another sort order)',
  );
}

/** The use cases of the catalogue and its stock. */
export class ProductDomain {
  constructor(private readonly deps: ProductDomainDeps) {}

  async search(input: SearchInput): Promise<{ items: ProductSummary[]; nextCursor: string | null }> {
    const { cursor, ...query } = input;
    const after = cursor ? decodeCursor(cursor, input.sort) : undefined;
    return this.deps.cache.list({ ...query, after }, async () => {
      const page = await this.deps.products.search({ ...query, ...(after ? { after } : {}) });
      const last = page.items.at(-1);
      return {
        items: page.items.map(summary),
        nextCursor:
          page.more && last
            ? encodeCursor(input.sort, this.deps.products.sortValue(last, input.sort), last._id)
            : null,
      };
    });
  }

  async get(id: string, viewer: Principal | undefined, traceparent?: string): Promise<ProductDetail> {
    const detail = await this.deps.cache.detail(id, async () => {
      const product = await this.deps.products.findById(id);
      return product ? { ...this.detailOf(product), stock: await this.deps.ledger.stock(id) } : null;
    });
    if (!detail) throw AppError.notFound(`product ${id}`);
    // A view changes no state, so it needs no outbox: handed to a batching publisher, never delaying the answer.
    const data = { productId: id, userId: viewer?.userId ?? null };
    this.deps.publish(newEvent('product.viewed', this.deps.source, id, data, traceparent));
    return detail;
  }

  async create(
    input: Omit<ProductDocument, '_id' | 'createdAt'> & { initialStock: number },
  ): Promise<ProductDetail> {
    const { initialStock, ...fields } = input;
    const product: ProductDocument = { _id: randomUUID(), ...fields, createdAt: new Date() };
    try {
      await this.deps.products.insert(product);
    } catch (error) {
      if (error instanceof SkuTaken) {
        const existing = await this.deps.products.findBySku(product.sku);
        throw new AppError(409, 'SKU_TAKEN', `a product with SKU ${product.sku} already exists`, {
          id: existing?._id,
        });
      }
      throw error;
    }
    if (initialStock > 0)
      await this.deps.ledger.append(product._id, initialStock, 'initial stock', `create:${product._id}`);
    await this.deps.cache.catalogueChanged();
    return { ...this.detailOf(product), stock: initialStock };
  }

  /**
   * Moves stock by `delta`. `key` (the Idempotency-Key) makes a retried adjustment count once: it is
   * scoped to the product (the ledger's unique ref), and a key seen before with another delta or
   * reason is refused rather than answered with the first change's figures.
   */
  async adjustStock(
    id: string,
    delta: number,
    reason: string,
    key: string,
  ): Promise<{ productId: string; stock: number; seq: number }> {
    if (!(await this.deps.products.findById(id))) throw AppError.notFound(`product ${id}`);
    try {
      const entry = await this.deps.ledger.append(id, delta, reason, `adjust:${id}:${key}`);
      if (entry.delta !== delta || entry.reason !== reason) {
        throw new AppError(
          409,
          'IDEMPOTENCY_KEY_REUSED',
          `this Idempotency-Key already adjusted this product by ${entry.delta} (${entry.reason}); use a new key for another adjustment`,
          { delta: entry.delta, reason: entry.reason },
        );
      }
      await this.deps.cache.stockChanged(id);
      return { productId: id, stock: entry.balance, seq: entry.seq };
    } catch (error) {
      if (error instanceof InsufficientStock) {
        throw new AppError(
          409,
          'INSUFFICIENT_STOCK',
          `only ${error.available} in stock; cannot remove ${error.requested}`,
          {
            available: error.available,
          },
        );
      }
      throw error;
    }
  }

  /**
   * Reserves every line or none (see InventoryLedger.reserve) and returns the lines priced as they
   * are now, for the order to keep. Unknown products are rejected before anything is taken.
   */
  async reserve(
    reservationId: string,
    lines: { productId: string; quantity: number }[],
  ): Promise<{ productId: string; name: string; unitPriceCents: number; quantity: number }[]> {
    const priced = [];
    for (const line of lines) {
      const product = await this.deps.products.findById(line.productId);
      if (!product) throw AppError.notFound(`product ${line.productId}`);
      priced.push({
        productId: product._id,
        name: product.name,
        unitPriceCents: product.priceCents,
        quantity: line.quantity,
      });
    }
    await this.deps.ledger.reserve(reservationId, lines);
    await Promise.all(lines.map((l) => this.deps.cache.stockChanged(l.productId)));
    return priced;
  }

  /** Gives back the stock of a reservation whose order was never completed (the order service's sweeper). */
  async release(reservationId: string): Promise<{ productId: string; quantity: number }[]> {
    const released = await this.deps.ledger.release(reservationId);
    await Promise.all(released.map((l) => this.deps.cache.stockChanged(l.productId)));
    return released;
  }

  private detailOf(p: ProductDocument): Omit<ProductDetail, 'stock'> {
    return { ...summary(p), description: p.description, createdAt: p.createdAt.toISOString() };
  }
}
