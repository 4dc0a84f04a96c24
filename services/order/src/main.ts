// The order service process: config validated at boot, then serve until SIGTERM.
import { serviceMain } from '@stackdrill/kit';
import { ORDER_CONFIG } from './config.ts';
import { createOrderService } from './order-service.ts';

await serviceMain('order', ORDER_CONFIG, async (config) => (await createOrderService(config)).service);
