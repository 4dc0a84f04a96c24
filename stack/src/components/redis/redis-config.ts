/** Config files for Redis data nodes and Sentinels, rendered fresh for every start (Sentinel rewrites them). */

/** Where a Redis process listens and keeps its files. */
interface RedisProcessConfig {
  /** The address it binds to. */
  host: string;
  port: number;
  dir: string;
  /**
   * Where the others reach it, when not at `host` (containers: its name on the stack's network).
   * A name, not an address: Sentinel then resolves and hands out names.
   */
  announce?: string;
}

/** Loopback only, in the foreground, logging to stdout (the supervisor writes the member's log). */
const processLines = (c: RedisProcessConfig) => [
  `bind ${c.host}`,
  `port ${c.port}`,
  `dir ${c.dir}`,
  'daemonize no',
  'logfile ""',
];

export interface RedisNodeConfig extends RedisProcessConfig {
  /** The current master; omitted when this node is the master. */
  replicaOf?: { host: string; port: number };
  minReplicasToWrite: number;
  minReplicasMaxLagS: number;
  /**
   * Start from the RDB in `dir` (a restore): with AOF on and no AOF yet, Redis would start empty
   * and ignore the RDB, so AOF stays off for this start and is turned on once the RDB is loaded.
   */
  fromRdb?: boolean;
}

export function renderRedisConf(c: RedisNodeConfig): string {
  return [
    ...processLines(c),
    // Durability per the architecture document: AOF on, fsync every second; no RDB snapshots.
    c.fromRdb ? 'appendonly no' : 'appendonly yes',
    'appendfsync everysec',
    'save ""',
    // A sync starts at once: Redis waits 5 s by default for more replicas to share one transfer,
    // which made every snapshot (the backups' `redis-cli --rdb`) and every resync 5 s late.
    'repl-diskless-sync-delay 0',
    // A master that cannot see enough in-sync replicas refuses writes instead of diverging.
    `min-replicas-to-write ${c.minReplicasToWrite}`,
    `min-replicas-max-lag ${c.minReplicasMaxLagS}`,
    `replica-announce-ip ${c.announce ?? c.host}`,
    // Reached from other hosts (containers): nothing binds to loopback alone, so protected mode is off.
    ...(c.announce ? ['protected-mode no'] : []),
    ...(c.replicaOf ? [`replicaof ${c.replicaOf.host} ${c.replicaOf.port}`] : []),
    '',
  ].join('\n');
}

export interface SentinelConfig extends RedisProcessConfig {
  masterName: string;
  master: { host: string; port: number };
  quorum: number;
  downAfterMs: number;
  failoverTimeoutMs: number;
}

export function renderSentinelConf(c: SentinelConfig): string {
  return [
    ...processLines(c),
    `sentinel announce-ip ${c.announce ?? c.host}`,
    ...(c.announce
      ? ['protected-mode no', 'sentinel resolve-hostnames yes', 'sentinel announce-hostnames yes']
      : []),
    `sentinel monitor ${c.masterName} ${c.master.host} ${c.master.port} ${c.quorum}`,
    `sentinel down-after-milliseconds ${c.masterName} ${c.downAfterMs}`,
    `sentinel failover-timeout ${c.masterName} ${c.failoverTimeoutMs}`,
    `sentinel parallel-syncs ${c.masterName} 1`,
    '',
  ].join('\n');
}
