// The notification service process: config validated at boot, then consume and serve until SIGTERM.
import { ConfigError, loadConfig, runService } from '@stackdrill/kit';
import { NOTIFICATION_CONFIG } from './config.ts';
import { createNotificationService } from './notification-service.ts';

try {
  const config = loadConfig('notification', NOTIFICATION_CONFIG);
  const { service } = await createNotificationService(config);
  await runService(service, config.port, config.host);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
