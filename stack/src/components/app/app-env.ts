import type { Endpoints } from '../handle.ts';
import { renderAddressMap, type ResolvedInstance } from '@stackdrill/facts';

export interface AppSecrets {
  jwtSecret: string;
  internalApiKey: string;
  /** Signs the mark of the stack's own synthetic load (the gateway's LOAD_KEY). */
  loadKey: string;
}

/**
 * The variables every service reads to reach the data tier and trust its peers (the services' shared
 * config schema), from a stack's endpoints. Tests that run a service in-process use this too.
 */
export function dataTierEnvironment(
  endpoints: Omit<Endpoints, 'app'>,
  secrets: Pick<AppSecrets, 'jwtSecret' | 'internalApiKey'>,
) {
  return {
    MONGO_URI: endpoints.mongo.uri,
    REDIS_SENTINELS: endpoints.redis.sentinels.map((s) => `${s.host}:${s.port}`).join(','),
    REDIS_MASTER_NAME: endpoints.redis.masterName,
    REDIS_NAT_MAP: renderAddressMap(endpoints.redis.natMap ?? {}),
    KAFKA_BROKERS: endpoints.kafka.brokers.join(','),
    KAFKA_ADDRESS_MAP: renderAddressMap(endpoints.kafka.addressMap ?? {}),
    JWT_SECRET: secrets.jwtSecret,
    INTERNAL_API_KEY: secrets.internalApiKey,
  };
}

/**
 * The environment of every app process, rendered from the instance's topology and the data tier's
 * endpoints. The variable names are the services' own (each validates them at boot).
 */
export function appEnvironment(
  instance: ResolvedInstance,
  endpoints: Omit<Endpoints, 'app'>,
  secrets: AppSecrets,
  options: {
    uiDir?: string;
    /** The address the members bind to (default: the instance's host). */
    bindHost?: string;
    /** Where the members reach each other (default: the instance's host; containers: by name). */
    stackHost?: (member: string) => string;
  } = {},
): Record<string, Record<string, string>> {
  const { app } = instance;
  const hostOf = options.stackHost ?? (() => instance.host);
  const url = (member: string, port: number) => `http://${hostOf(member)}:${port}`;
  const portOf = (name: string) => app.services.find((s) => s.name === name)!.port;
  const shared = {
    HOST: options.bindHost ?? instance.host,
    LOG_LEVEL: 'info',
    ...dataTierEnvironment(endpoints, secrets),
  };
  const env: Record<string, Record<string, string>> = {
    sinks: {
      HOST: shared.HOST,
      SMTP_PORT: String(app.sinks.smtpPort),
      HTTP_PORT: String(app.sinks.port),
    },
  };
  for (const service of app.services)
    env[service.name] = {
      ...shared,
      PORT: String(service.port),
      ...(app.testSwitches ? { TEST_SWITCHES: 'true' } : {}),
    };
  env.order!.PRODUCT_SERVICE_URL = url('product', portOf('product'));
  env.notification!.SMTP_HOST = hostOf('sinks');
  env.notification!.SMTP_PORT = String(app.sinks.smtpPort);
  env.notification!.WEBHOOK_URL = `${url('sinks', app.sinks.port)}/webhooks`;
  // The gateway keeps no data: it gets the listener, Redis (rate limits) and the keys only.
  const { MONGO_URI: _mongo, KAFKA_BROKERS: _kafka, KAFKA_ADDRESS_MAP: _kafkaMap, ...edge } = shared;
  env.gateway = {
    ...edge,
    PORT: String(app.gateway.port),
    METRICS_PORT: String(app.gateway.metricsPort),
    RATE_LIMIT_IP_PER_MIN: String(app.rateLimits.perIpPerMinute),
    RATE_LIMIT_USER_PER_MIN: String(app.rateLimits.perUserPerMinute),
    RATE_LIMIT_LOAD_PER_MIN: String(app.rateLimits.loadPerMinute),
    LOAD_KEY: secrets.loadKey,
    ...Object.fromEntries(
      app.services.map((s) => [`${s.name.toUpperCase()}_SERVICE_URL`, url(s.name, s.port)]),
    ),
    ...(options.uiDir ? { UI_DIR: options.uiDir } : {}),
  };
  return env;
}
