import {
  connectConsumer,
  connectRuntime,
  repeatEvery,
  runIdempotentConsumer,
  type Api,
  type ConfigValues,
  type Logger,
  type Service,
} from '@stackdrill/kit';
import { KAFKA_TOPICS } from '@stackdrill/facts';
import type { ANALYTICS_CONFIG } from './config.ts';
import { FactStore } from './data-access/facts.ts';
import { LiveCounters } from './data-access/live-counters.ts';
import { RollupStore } from './data-access/rollups.ts';
import { AnalyticsDomain } from './domain/analytics.ts';
import { analyticsApi } from './entry-points/http-api.ts';

/** How often the facts' closed minutes are rolled up (each roll reads the facts since the last). */
const ROLL_EVERY_MS = 15_000;

export type AnalyticsConfig = ConfigValues<typeof ANALYTICS_CONFIG>;

export interface AnalyticsService {
  service: Service;
  api: Api;
  facts: FactStore;
  rollups: RollupStore;
  logger: Logger;
}

/** The composition root: a consumer of all four topics building the read models, and the admin API over them. */
export async function createAnalyticsService(
  config: AnalyticsConfig,
  logger?: Logger,
): Promise<AnalyticsService> {
  const runtime = await connectRuntime('analytics', config, logger);
  const facts = new FactStore(runtime.mongo.db);
  await facts.ensureIndexes();
  const rollups = new RollupStore(runtime.mongo.db, facts);
  const domain = new AnalyticsDomain(
    facts,
    rollups,
    new LiveCounters(runtime.redis, config.liveCountersPrefix),
  );
  const consumer = await connectConsumer(runtime.kafka, config.consumerGroup, [...KAFKA_TOPICS]);
  await runIdempotentConsumer({
    consumer,
    groupId: config.consumerGroup,
    db: runtime.mongo.db,
    logger: runtime.logger,
    faults: runtime.faults,
    handle: (e) => domain.handle(e),
    // Views only feed the approximate live counter: no dedupe record per view, counted in bulk.
    unrecorded: {
      matches: (e) => e.type === 'product.viewed',
      handleAll: (views) => domain.countViews(views),
    },
  });
  const api = analyticsApi(domain, runtime.tokens);
  const service = runtime.serve(api, {
    closers: [
      { name: 'event consumer', close: () => consumer.disconnect() },
      repeatEvery('rolling up the analytics facts', ROLL_EVERY_MS, () => rollups.roll(), runtime.logger, {
        atOnce: true,
      }),
    ],
  });
  return { service, api, facts, rollups, logger: runtime.logger };
}
