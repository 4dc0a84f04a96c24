import { ConfigError, loadConfig, type ConfigSchema, type ConfigValues } from './config.ts';
import { runService, type Service } from './service.ts';

/**
 * A service process's whole `main.ts`: its config validated at boot, the service built from it and
 * served until SIGTERM. A config that does not validate, or a start that fails, is printed (the
 * config's own message names every bad variable) and the process exits 1.
 */
export async function serviceMain<S extends ConfigSchema>(
  name: string,
  schema: S,
  create: (config: ConfigValues<S>) => Service | Promise<Service>,
): Promise<void> {
  try {
    const config = loadConfig(name, schema);
    const { port, host } = config as ConfigValues<S> & { port: number; host: string };
    await runService(await create(config), port, host);
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  }
}
