// The notification service process: config validated at boot, then consume and serve until SIGTERM.
import { serviceMain } from '@stackdrill/kit';
import { NOTIFICATION_CONFIG } from './config.ts';
import { createNotificationService } from './notification-service.ts';

await serviceMain(
  'notification',
  NOTIFICATION_CONFIG,
  async (config) => (await createNotificationService(config)).service,
);
