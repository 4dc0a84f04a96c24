// The analytics service process: config validated at boot, then consume and serve until SIGTERM.
import { ConfigError, loadConfig, runService } from '@stackdrill/kit';
import { ANALYTICS_CONFIG } from './config.ts';
import { createAnalyticsService } from './analytics-service.ts';

try {
  const config = loadConfig('analytics', ANALYTICS_CONFIG);
  const { service } = await createAnalyticsService(config);
  await runService(service, config.port, config.host);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
