import {
  BatchPublisher,
  connectRuntime,
  type Api,
  type ConfigValues,
  type Logger,
  type Service,
} from '@stackdrill/kit';
import type { PRODUCT_CONFIG } from './config.ts';
import { InventoryLedger } from './data-access/inventory-ledger.ts';
import { ProductCache } from './data-access/product-cache.ts';
import { ProductRepository } from './data-access/product-repository.ts';
import { ProductDomain } from './domain/products.ts';
import { productApi } from './entry-points/http-api.ts';
import { internalRoutes } from './entry-points/internal-routes.ts';

export type ProductConfig = ConfigValues<typeof PRODUCT_CONFIG>;

export interface ProductService {
  service: Service;
  api: Api;
  domain: ProductDomain;
  ledger: InventoryLedger;
  logger: Logger;
}

/** The composition root: data access → domain → HTTP. */
export async function createProductService(config: ProductConfig, logger?: Logger): Promise<ProductService> {
  const runtime = await connectRuntime('product', config, logger);
  const products = new ProductRepository(runtime.mongo.db);
  const ledger = new InventoryLedger(runtime.mongo.db);
  await products.ensureIndexes();
  await ledger.ensureIndexes();
  // Views are many and record no state: batched and bounded, never a send per request.
  const views = new BatchPublisher({ producer: runtime.producer, logger: runtime.logger });
  const domain = new ProductDomain({
    products,
    ledger,
    cache: new ProductCache(runtime.redis, runtime.logger, config.listCacheTtlS, config.detailCacheTtlS),
    publish: (event) => views.publish(event),
    logger: runtime.logger,
    source: 'product-service',
  });
  const api = productApi(domain, runtime.tokens);
  return {
    service: runtime.serve(api, {
      internal: internalRoutes(domain),
      // After the last request, before the producer closes: the buffered views go out.
      closers: [{ name: 'view events', close: () => views.flush() }],
    }),
    api,
    domain,
    ledger,
    logger: runtime.logger,
  };
}
