import { describe, expect, it } from 'vitest';
import { renderRedisConf, renderSentinelConf } from './redis-config.ts';

const base = { host: '127.0.0.1', port: 6379, dir: '/d', minReplicasToWrite: 1, minReplicasMaxLagS: 10 };

describe('redis config', () => {
  it('when rendering the master, then it has no replicaof and refuses writes without a replica', () => {
    const conf = renderRedisConf(base);
    expect(conf).not.toContain('replicaof');
    expect(conf).toContain('min-replicas-to-write 1');
    expect(conf).toContain('appendonly yes');
    expect(conf).toContain('bind 127.0.0.1');
    expect(conf).toContain('repl-diskless-sync-delay 0');
  });

  it('when a node starts from a restored RDB, then AOF is off for that start (else Redis would ignore the RDB)', () => {
    expect(renderRedisConf({ ...base, fromRdb: true })).toContain('appendonly no');
  });

  it('when rendering a replica, then it follows the given master', () => {
    expect(renderRedisConf({ ...base, port: 6380, replicaOf: { host: '127.0.0.1', port: 6379 } })).toContain(
      'replicaof 127.0.0.1 6379',
    );
  });

  it('when rendering a sentinel, then it monitors the master with the quorum and timeouts', () => {
    const conf = renderSentinelConf({
      host: '127.0.0.1',
      port: 26379,
      dir: '/d',
      masterName: 'stackdrill',
      master: { host: '127.0.0.1', port: 6380 },
      quorum: 2,
      downAfterMs: 2000,
      failoverTimeoutMs: 10000,
    });
    expect(conf).toContain('sentinel monitor stackdrill 127.0.0.1 6380 2');
    expect(conf).toContain('sentinel down-after-milliseconds stackdrill 2000');
    expect(conf).toContain('sentinel failover-timeout stackdrill 10000');
  });
});
