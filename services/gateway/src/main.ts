// The gateway process: config validated at boot, then serve until SIGTERM.
import { ConfigError, loadConfig, runService } from '@stackdrill/kit';
import { GATEWAY_CONFIG } from './config.ts';
import { createGateway } from './gateway.ts';

try {
  const config = loadConfig('gateway', GATEWAY_CONFIG);
  await runService(createGateway(config), config.port, config.host);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
