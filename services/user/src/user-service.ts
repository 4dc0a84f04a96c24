import { Router } from 'express';
import {
  AccessTokens,
  connectMongo,
  connectProducer,
  connectRedis,
  createKafka,
  createLogger,
  OutboxRelay,
  parseHostList,
  Service,
  type Api,
  type ConfigValues,
  type Logger,
} from '@stackdrill/kit';
import type { USER_CONFIG } from './config.ts';
import { SessionStore } from './data-access/session-store.ts';
import { UserRepository } from './data-access/user-repository.ts';
import { UserDomain } from './domain/users.ts';
import { userApi } from './entry-points/http-api.ts';

export type UserConfig = ConfigValues<typeof USER_CONFIG>;

export interface UserService {
  service: Service;
  api: Api;
  relay: OutboxRelay;
  logger: Logger;
}

/**
 * The composition root: connects the clients, wires data access → domain → HTTP, and hands back a
 * Service whose stop() drains HTTP, then stops the outbox relay and closes every client.
 */
export async function createUserService(
  config: UserConfig,
  logger = createLogger('user', config.logLevel),
): Promise<UserService> {
  const mongo = await connectMongo(config.mongoUri, config.mongoDb);
  const users = new UserRepository(mongo.db);
  await users.ensureIndexes();
  const redis = connectRedis(
    { sentinels: parseHostList(config.redisSentinels), masterName: config.redisMasterName },
    logger,
  );
  const kafka = createKafka('user-service', config.kafkaBrokers.split(','), logger);
  const producer = await connectProducer(kafka);
  const tokens = new AccessTokens(config.jwtSecret, config.accessTokenTtlS);
  const domain = new UserDomain({
    users,
    sessions: new SessionStore(redis, config.refreshTokenTtlS),
    tokens,
    source: 'user-service',
  });
  const api = userApi(domain, tokens);

  const relay = new OutboxRelay({
    db: mongo.db,
    collections: [users.collection.collectionName],
    producer,
    logger,
  });
  await relay.ensureIndexes();

  const routes = Router();
  routes.get('/openapi.json', (_req, res) => {
    res.json(api.document());
  });
  routes.use(api.router);

  const service = new Service({
    name: 'user',
    logger,
    routes,
    readiness: { mongo: () => mongo.ping(), redis: () => redis.ping() },
    closers: [
      { name: 'outbox relay', close: () => relay.stop() },
      { name: 'kafka producer', close: () => producer.disconnect() },
      { name: 'redis', close: () => redis.quit() },
      { name: 'mongo', close: () => mongo.close() },
    ],
  });
  relay.start();
  return { service, api, relay, logger };
}
