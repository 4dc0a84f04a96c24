import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import type { AddressMap } from '@stackdrill/facts';

export interface SentinelTarget {
  sentinels: { host: string; port: number }[];
  masterName: string;
  /** Addresses Sentinel hands out (the master, other Sentinels), rewritten where this client reaches them. */
  natMap?: AddressMap;
}

/** Parses `host:port,host:port` (the REDIS_SENTINELS variable). */
export function parseHostList(list: string): { host: string; port: number }[] {
  return list.split(',').map((entry) => {
    const [host, port] = entry.trim().split(':');
    if (!host || !port || !Number.isInteger(Number(port))) throw new Error(`"${entry}" is not host:port`);
    return { host, port: Number(port) };
  });
}

/**
 * ioredis through Sentinel: it asks the Sentinels for the master and follows failovers. Commands are
 * retried briefly across a failover, then fail (so the request gets a 503, never a hang). ioredis
 * reports every reconnect as an `error` event; those are logged at debug, not thrown. A `keyPrefix`
 * is put before every key the client sends.
 */
export function connectRedis(
  target: SentinelTarget,
  logger: Logger,
  options: { keyPrefix?: string } = {},
): Redis {
  const redis = new Redis({
    ...options,
    sentinels: target.sentinels,
    name: target.masterName,
    ...(target.natMap && Object.keys(target.natMap).length ? { natMap: target.natMap } : {}),
    maxRetriesPerRequest: 3,
    commandTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    sentinelRetryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    // Commands issued in the same tick go out in one write: under load, fewer syscalls per request.
    enableAutoPipelining: true,
  });
  redis.on('error', (error) => logger.debug({ err: error }, 'redis connection event'));
  return redis;
}
