// The user service process: config validated at boot, then serve until SIGTERM.
import { ConfigError, loadConfig, runService } from '@stackdrill/kit';
import { USER_CONFIG } from './config.ts';
import { createUserService } from './user-service.ts';

try {
  const config = loadConfig('user', USER_CONFIG);
  const { service } = await createUserService(config);
  await runService(service, config.port, config.host);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
