import { resolveInstance } from './instance.ts';
import type { ServiceName } from './topology.ts';

const dev = resolveInstance('dev');
const hosts = (members: readonly { port: number }[]) => members.map((m) => `${dev.host}:${m.port}`).join(',');

/**
 * The defaults of every service's config: the `dev` instance's addresses, so a service started by
 * hand joins a developer's running stack. A provider sets every one of them from the instance it
 * runs (stack/src/components/app/app-env.ts); nothing else repeats these ports.
 */
export const SERVICE_DEFAULTS = {
  host: dev.host,
  // One member is enough to find the replica set (a FerretDB stand-in has only that one).
  mongoUri: `mongodb://${dev.host}:${dev.mongo.members[0]!.port}/?replicaSet=${dev.mongo.replicaSet}&w=majority`,
  redisSentinels: hosts(dev.redis.sentinels),
  redisMasterName: dev.redis.masterName,
  kafkaBrokers: hosts(dev.kafka.nodes),
  rateLimits: dev.app.rateLimits,
  gateway: dev.app.gateway,
  smtp: { host: dev.host, port: dev.app.sinks.smtpPort },
  webhookUrl: `http://${dev.host}:${dev.app.sinks.port}/webhooks`,
  portOf: (name: ServiceName | 'gateway'): number =>
    name === 'gateway' ? dev.app.gateway.port : dev.app.services.find((s) => s.name === name)!.port,
  urlOf: (name: ServiceName): string => `http://${dev.host}:${SERVICE_DEFAULTS.portOf(name)}`,
};
