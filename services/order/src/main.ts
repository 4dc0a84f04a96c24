// The order service process: config validated at boot, then serve until SIGTERM.
import { ConfigError, loadConfig, runService } from '@stackdrill/kit';
import { ORDER_CONFIG } from './config.ts';
import { createOrderService } from './order-service.ts';

try {
  const config = loadConfig('order', ORDER_CONFIG);
  const { service } = await createOrderService(config);
  await runService(service, config.port, config.host);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
