import {
  connectRuntime,
  repeatEvery,
  OutboxRelay,
  type Api,
  type ConfigValues,
  type Logger,
  type Service,
} from '@stackdrill/kit';
import type { ORDER_CONFIG } from './config.ts';
import { OrderStore } from './data-access/order-store.ts';
import { ProductClient } from './data-access/product-client.ts';
import { OrderFaults, PAYMENT_SWITCH } from './domain/faults.ts';
import { OrderDomain } from './domain/orders.ts';
import { SimulatedPaymentProvider } from './domain/payment-provider.ts';
import { orderApi } from './entry-points/http-api.ts';

export type OrderConfig = ConfigValues<typeof ORDER_CONFIG>;

export interface OrderService {
  service: Service;
  api: Api;
  store: OrderStore;
  domain: OrderDomain;
  payments: SimulatedPaymentProvider;
  faults: OrderFaults;
  logger: Logger;
}

/**
 * The composition root: data access → domain → HTTP, plus the outbox relay for orders and their
 * status, and the sweeper that gives back the stock of orders abandoned mid-way.
 */
export async function createOrderService(config: OrderConfig, logger?: Logger): Promise<OrderService> {
  const runtime = await connectRuntime('order', config, logger);
  const store = new OrderStore(runtime.mongo.db);
  await store.ensureIndexes();
  // The payment switch joins the kit's fault switches, served at /internal/faults with them.
  const faults = new OrderFaults(
    runtime.faults.add(PAYMENT_SWITCH, {
      failureRate: config.paymentFailureRate,
      latencyMs: config.paymentLatencyMs,
    }),
    config.crashPoint,
  );
  const payments = new SimulatedPaymentProvider(runtime.mongo.db, faults);
  const relay = new OutboxRelay({
    db: runtime.mongo.db,
    collections: [store.orders.collectionName, store.statuses.collectionName],
    producer: runtime.producer,
    logger: runtime.logger,
    afterPublish: () => faults.crashAt('after-outbox-publish'),
  });
  const domain = new OrderDomain({
    store,
    products: new ProductClient(config.productServiceUrl, config.internalApiKey),
    payments,
    source: 'order-service',
    outboxWritten: () => {
      faults.crashAt('after-outbox-write');
      relay.nudge();
    },
  });
  const api = orderApi(domain, runtime.tokens);
  await relay.ensureIndexes();
  // Every replica sweeps; sweeps are idempotent, and one at a time per process.
  const sweeper = repeatEvery(
    'sweeping abandoned order requests',
    config.sweepIntervalS * 1000,
    async () => {
      const swept = await domain.sweepAbandoned(
        new Date(),
        config.reservationTimeoutS * 1000,
        config.reservationGraceS * 1000,
      );
      if (swept.abandoned || swept.released) runtime.logger.warn(swept, 'abandoned order requests swept');
    },
    runtime.logger,
  );
  const service = runtime.serve(api, {
    closers: [sweeper, { name: 'outbox relay', close: () => relay.stop() }],
  });
  relay.start();
  return { service, api, store, domain, payments, faults, logger: runtime.logger };
}
