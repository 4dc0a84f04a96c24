// The product service process: config validated at boot, then serve until SIGTERM.
import { serviceMain } from '@stackdrill/kit';
import { PRODUCT_CONFIG } from './config.ts';
import { createProductService } from './product-service.ts';

await serviceMain('product', PRODUCT_CONFIG, async (config) => (await createProductService(config)).service);
