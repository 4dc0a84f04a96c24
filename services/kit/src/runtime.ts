import { Router } from 'express';
import { SERVICE_DEFAULTS, type ServiceName } from '@stackdrill/facts';
import type { Kafka, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { requireApiKey } from './auth/api-key.ts';
import { parseAddressMap } from '@stackdrill/facts';
import { AccessTokens } from './auth/tokens.ts';
import { connectMongo, type MongoHandle } from './clients/mongo.ts';
import { createKafka, connectProducer } from './clients/kafka.ts';
import { connectRedis, parseHostList } from './clients/redis.ts';
import { env, type ConfigSchema, type ConfigValues } from './config.ts';
import { FaultSwitches, IDEMPOTENCY_SWITCH } from './faults/catalogue.ts';
import { injectFaults } from './faults/middleware.ts';
import { faultRoutes } from './faults/routes.ts';
import type { Api } from './http/api.ts';
import { createLogger, type Logger } from './logger.ts';
import { Service, type Closer } from './service.ts';

/**
 * The configuration every service shares: where it listens and how it reaches the data tier. The
 * defaults are the `dev` instance's addresses, from the topology.
 */
export function sharedConfig(defaults: { service: ServiceName | 'gateway'; db: string }) {
  return {
    port: {
      env: 'PORT',
      doc: 'HTTP port (0 picks a free one)',
      schema: env.port(),
      default: String(SERVICE_DEFAULTS.portOf(defaults.service)),
    },
    host: { env: 'HOST', doc: 'address to bind', schema: env.string(), default: SERVICE_DEFAULTS.host },
    logLevel: {
      env: 'LOG_LEVEL',
      doc: 'log level',
      schema: env.enumOf(['debug', 'info', 'warn', 'error']),
      default: 'info',
    },
    mongoUri: {
      env: 'MONGO_URI',
      doc: 'MongoDB connection string (replica set, majority writes)',
      schema: env.string(),
      default: SERVICE_DEFAULTS.mongoUri,
    },
    mongoDb: { env: 'MONGO_DB', doc: 'database of this service', schema: env.string(), default: defaults.db },
    redisSentinels: {
      env: 'REDIS_SENTINELS',
      doc: 'Redis Sentinels as host:port,host:port',
      schema: env.string(),
      default: SERVICE_DEFAULTS.redisSentinels,
    },
    redisNatMap: {
      env: 'REDIS_NAT_MAP',
      doc: 'Redis addresses Sentinel hands out, rewritten to where this service reaches them (from=host:port,...; the fault proxy sets it; empty: as handed out)',
      schema: env.addressMap(),
      default: '',
    },
    redisMasterName: {
      env: 'REDIS_MASTER_NAME',
      doc: 'the master name Sentinel monitors',
      schema: env.string(),
      default: SERVICE_DEFAULTS.redisMasterName,
    },
    kafkaBrokers: {
      env: 'KAFKA_BROKERS',
      doc: 'Kafka bootstrap brokers as host:port,host:port',
      schema: env.string(),
      default: SERVICE_DEFAULTS.kafkaBrokers,
    },
    kafkaAddressMap: {
      env: 'KAFKA_ADDRESS_MAP',
      doc: "Kafka broker addresses from the cluster's metadata, rewritten to where this service reaches them (from=host:port,...; the fault proxy sets it; empty: as handed out)",
      schema: env.addressMap(),
      default: '',
    },
    jwtSecret: {
      env: 'JWT_SECRET',
      doc: 'HS256 key for access tokens, 32+ characters',
      schema: env.string().min(32),
      secret: true,
    },
    accessTokenTtlS: {
      env: 'ACCESS_TOKEN_TTL_S',
      doc: 'access token lifetime in seconds',
      schema: env.int(60),
      default: '900',
    },
    testSwitches: {
      env: 'TEST_SWITCHES',
      doc: "adds the test-only fault switches (`idempotency`: a consumer without its idempotency); only the test suite's instance sets it",
      schema: env.bool(),
      default: 'false',
    },
    internalApiKey: {
      env: 'INTERNAL_API_KEY',
      doc: 'shared key for service-to-service calls (/internal routes), 32+ characters',
      schema: env.string().min(32),
      secret: true,
    },
  } satisfies ConfigSchema;
}

export type SharedConfig = ConfigValues<ReturnType<typeof sharedConfig>>;

/** The connected clients of one service, and how to wrap its API into a runnable Service. */
export interface ServiceRuntime {
  name: string;
  logger: Logger;
  mongo: MongoHandle;
  redis: Redis;
  kafka: Kafka;
  producer: Producer;
  tokens: AccessTokens;
  /**
   * The service's fault switches (faults/catalogue.ts): the kit's, plus any the service adds before
   * `serve`. Its event consumers take them (runIdempotentConsumer).
   */
  faults: FaultSwitches;
  /**
   * Builds the Service: the API plus `/openapi.json`, and `internal` routes behind the API key, with
   * the fault switches (serviceRoutes); `closers` run before the shared clients close.
   */
  serve(api: Api, options?: { closers?: Closer[]; internal?: Router }): Service;
}

/**
 * A service's routes, as every service serves them: `/openapi.json`; `/internal` behind the API key,
 * with the fault switches' `/internal/faults` before the service's own internal routes; then the
 * `routes` fault switch in front of the API. (The kit's app answers `/health`, `/ready` and
 * `/metrics` before any of these.)
 */
export function serviceRoutes(
  api: Api,
  options: { internalApiKey: string; faults: FaultSwitches; internal?: Router },
): Router {
  const routes = Router();
  routes.get('/openapi.json', (_req, res) => {
    res.json(api.document());
  });
  routes.use(
    '/internal',
    requireApiKey(options.internalApiKey),
    faultRoutes(options.faults),
    ...(options.internal ? [options.internal] : []),
  );
  routes.use(injectFaults(options.faults, { operations: api.operations() }));
  routes.use(api.router);
  return routes;
}

export async function connectRuntime(
  name: string,
  config: SharedConfig,
  logger = createLogger(name, config.logLevel),
): Promise<ServiceRuntime> {
  const mongo = await connectMongo(config.mongoUri, config.mongoDb);
  // A service's keys live under its database's name, as its documents do: deployments (or a test's
  // own service beside the stack's) that share one Redis never read each other's cache, counters
  // or sessions.
  const redis = connectRedis(
    {
      sentinels: parseHostList(config.redisSentinels),
      masterName: config.redisMasterName,
      natMap: parseAddressMap(config.redisNatMap),
    },
    logger,
    { keyPrefix: `${config.mongoDb}:` },
  );
  const kafka = createKafka(
    `${name}-service`,
    config.kafkaBrokers.split(','),
    logger,
    parseAddressMap(config.kafkaAddressMap),
  );
  const producer = await connectProducer(kafka);
  const tokens = new AccessTokens(config.jwtSecret, config.accessTokenTtlS);
  const faults = new FaultSwitches(name, logger);
  if (config.testSwitches) faults.add(IDEMPOTENCY_SWITCH);
  return {
    name,
    logger,
    mongo,
    redis,
    kafka,
    producer,
    tokens,
    faults,
    serve(api, { closers = [], internal } = {}) {
      return new Service({
        name,
        logger,
        routes: serviceRoutes(api, { internalApiKey: config.internalApiKey, faults, internal }),
        faults,
        readiness: { mongo: () => mongo.ping(), redis: () => redis.ping() },
        closers: [
          ...closers,
          { name: 'kafka producer', close: () => producer.disconnect() },
          { name: 'redis', close: () => redis.quit() },
          { name: 'mongo', close: () => mongo.close() },
        ],
      });
    },
  };
}
