// Every app process's config schema, by its member name in the topology: what the stack renders
// each process's environment against (the contract test) and what `pnpm env:example` writes out.
import type { ConfigSchema } from './kit/src/config.ts';
import { ANALYTICS_CONFIG } from './analytics/src/config.ts';
import { GATEWAY_CONFIG } from './gateway/src/config.ts';
import { NOTIFICATION_CONFIG } from './notification/src/config.ts';
import { ORDER_CONFIG } from './order/src/config.ts';
import { PRODUCT_CONFIG } from './product/src/config.ts';
import { USER_CONFIG } from './user/src/config.ts';

export const APP_CONFIGS: Record<string, ConfigSchema> = {
  user: USER_CONFIG,
  product: PRODUCT_CONFIG,
  order: ORDER_CONFIG,
  notification: NOTIFICATION_CONFIG,
  analytics: ANALYTICS_CONFIG,
  gateway: GATEWAY_CONFIG,
};
