import { stat } from 'node:fs/promises';
import { StackError, TOOLS } from '@stackdrill/toolkit';

/**
 * Takes a Redis snapshot over the network: `redis-cli --rdb` asks the master for a replication
 * sync and writes the RDB it sends, the file Redis itself would load. Nothing on the master's
 * disk is touched, so it works whatever runs Redis (a process here, a container, a pod).
 */
export async function snapshotRedis(master: { host: string; port: number }, file: string): Promise<number> {
  await TOOLS.run('redis-cli', ['-h', master.host, '-p', String(master.port), '--rdb', file], {
    timeoutMs: 10 * 60_000,
    what: `the Redis snapshot of the master at ${master.host}:${master.port}`,
    component: 'redis',
    hint: 'redis-cli comes with Redis (Debian: `apt-get install redis-tools`); `pnpm stack:status` says whether the master answers',
  });
  const { size } = await stat(file).catch(() => ({ size: 0 }));
  if (size === 0)
    throw new StackError({
      component: 'redis',
      message: `the Redis snapshot ${file} is empty after redis-cli --rdb`,
      hint: 'the Redis master’s log says why (`pnpm stack:logs`)',
    });
  return size;
}
