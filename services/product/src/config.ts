import { serviceDb } from '@stackdrill/facts';
import { env, sharedConfig, type ConfigSchema } from '@stackdrill/kit';

/** The product service's configuration: one entry per environment variable (rendered to .env.example). */
export const PRODUCT_CONFIG = {
  ...sharedConfig({ service: 'product', db: serviceDb('product') }),
  listCacheTtlS: {
    env: 'LIST_CACHE_TTL_S',
    doc: 'how long a catalogue page stays cached',
    schema: env.int(1),
    default: '30',
  },
  detailCacheTtlS: {
    env: 'DETAIL_CACHE_TTL_S',
    doc: 'how long a product detail (with stock) stays cached',
    schema: env.int(1),
    default: '10',
  },
} satisfies ConfigSchema;
