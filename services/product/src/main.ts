// The product service process: config validated at boot, then serve until SIGTERM.
import { ConfigError, loadConfig, runService } from '@stackdrill/kit';
import { PRODUCT_CONFIG } from './config.ts';
import { createProductService } from './product-service.ts';

try {
  const config = loadConfig('product', PRODUCT_CONFIG);
  const { service } = await createProductService(config);
  await runService(service, config.port, config.host);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
