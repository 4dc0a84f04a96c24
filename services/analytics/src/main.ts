// The analytics service process: config validated at boot, then consume and serve until SIGTERM.
import { serviceMain } from '@stackdrill/kit';
import { ANALYTICS_CONFIG } from './config.ts';
import { createAnalyticsService } from './analytics-service.ts';

await serviceMain(
  'analytics',
  ANALYTICS_CONFIG,
  async (config) => (await createAnalyticsService(config)).service,
);
