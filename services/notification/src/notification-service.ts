import {
  connectConsumer,
  connectRuntime,
  OutboxRelay,
  runIdempotentConsumer,
  type Api,
  type ConfigValues,
  type Logger,
  type Service,
} from '@stackdrill/kit';
import type { NOTIFICATION_CONFIG } from './config.ts';
import { NotificationStore } from './data-access/notification-store.ts';
import { emailChannel, webhookChannel } from './domain/channels.ts';
import { NotificationDomain } from './domain/notifications.ts';
import { notificationApi } from './entry-points/http-api.ts';

export type NotificationConfig = ConfigValues<typeof NOTIFICATION_CONFIG>;

export interface NotificationService {
  service: Service;
  api: Api;
  store: NotificationStore;
  logger: Logger;
}

/** The composition root: the event consumer and the HTTP API over one store, plus the outbox relay. */
export async function createNotificationService(
  config: NotificationConfig,
  logger?: Logger,
): Promise<NotificationService> {
  const runtime = await connectRuntime('notification', config, logger);
  const store = new NotificationStore(runtime.mongo.db);
  await store.ensureIndexes();
  const relay = new OutboxRelay({
    db: runtime.mongo.db,
    collections: [store.deliveries.collectionName],
    producer: runtime.producer,
    logger: runtime.logger,
  });
  const domain = new NotificationDomain({
    store,
    channels: {
      email: emailChannel({ host: config.smtpHost, port: config.smtpPort, from: config.mailFrom }),
      sms: webhookChannel(config.webhookUrl, 'sms'),
      push: webhookChannel(config.webhookUrl, 'push'),
    },
    logger: runtime.logger,
    source: 'notification-service',
    outboxWritten: () => relay.nudge(),
  });
  await relay.ensureIndexes();
  const consumer = await connectConsumer(runtime.kafka, config.consumerGroup, [
    'user-events',
    'order-events',
  ]);
  await runIdempotentConsumer({
    consumer,
    groupId: config.consumerGroup,
    db: runtime.mongo.db,
    logger: runtime.logger,
    faults: runtime.faults,
    handle: (e) => domain.handle(e),
  });
  relay.start();
  const api = notificationApi(domain, runtime.tokens);
  const service = runtime.serve(api, {
    closers: [
      { name: 'event consumer', close: () => consumer.disconnect() },
      { name: 'outbox relay', close: () => relay.stop() },
    ],
  });
  return { service, api, store, logger: runtime.logger };
}
