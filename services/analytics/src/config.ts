import { serviceDb } from '@stackdrill/facts';
import { env, sharedConfig, type ConfigSchema } from '@stackdrill/kit';

/** The analytics service's configuration: one entry per environment variable (rendered to .env.example). */
export const ANALYTICS_CONFIG = {
  ...sharedConfig({ service: 'analytics', db: serviceDb('analytics') }),
  consumerGroup: {
    env: 'CONSUMER_GROUP',
    doc: 'Kafka consumer group; every replica of the service shares it',
    schema: env.string(),
    default: 'analytics-service',
  },
  liveCountersPrefix: {
    env: 'LIVE_COUNTERS_PREFIX',
    doc: 'Redis key prefix of the live counters; replicas of one deployment share it',
    schema: env.string(),
    default: 'live',
  },
} satisfies ConfigSchema;
