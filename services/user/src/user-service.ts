import {
  connectRuntime,
  OutboxRelay,
  type Api,
  type ConfigValues,
  type Logger,
  type Service,
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
 * The composition root: data access → domain → HTTP. The Service's stop() drains HTTP, stops the
 * outbox relay, then closes the clients.
 */
export async function createUserService(config: UserConfig, logger?: Logger): Promise<UserService> {
  const runtime = await connectRuntime('user', config, logger);
  const users = new UserRepository(runtime.mongo.db);
  await users.ensureIndexes();
  const sessions = new SessionStore(runtime.redis, config.refreshTokenTtlS);
  const relay = new OutboxRelay({
    db: runtime.mongo.db,
    collections: [users.collection.collectionName],
    producer: runtime.producer,
    logger: runtime.logger,
  });
  const domain = new UserDomain({
    users,
    sessions,
    tokens: runtime.tokens,
    source: 'user-service',
    outboxWritten: () => relay.nudge(),
  });
  const api = userApi(domain, runtime.tokens);
  await relay.ensureIndexes();
  const service = runtime.serve(api, { closers: [{ name: 'outbox relay', close: () => relay.stop() }] });
  relay.start();
  return { service, api, relay, logger: runtime.logger };
}
