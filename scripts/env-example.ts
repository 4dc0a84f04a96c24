// pnpm env:example — writes every service's .env.example from its config schema (the one source of
// the variables, their defaults and docs); a unit test per service fails when one is out of date.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderEnvExample, type ConfigSchema } from '@stackdrill/kit';
import { REPO_ROOT } from '@stackdrill/stack';
import { ANALYTICS_CONFIG } from '../services/analytics/src/config.ts';
import { GATEWAY_CONFIG } from '../services/gateway/src/config.ts';
import { NOTIFICATION_CONFIG } from '../services/notification/src/config.ts';
import { ORDER_CONFIG } from '../services/order/src/config.ts';
import { PRODUCT_CONFIG } from '../services/product/src/config.ts';
import { USER_CONFIG } from '../services/user/src/config.ts';

const SCHEMAS: Record<string, ConfigSchema> = {
  user: USER_CONFIG,
  product: PRODUCT_CONFIG,
  order: ORDER_CONFIG,
  notification: NOTIFICATION_CONFIG,
  analytics: ANALYTICS_CONFIG,
  gateway: GATEWAY_CONFIG,
};

for (const [service, schema] of Object.entries(SCHEMAS)) {
  const file = join(REPO_ROOT, 'services', service, '.env.example');
  await writeFile(file, renderEnvExample(service, schema));
  console.log(`wrote ${file}`);
}
