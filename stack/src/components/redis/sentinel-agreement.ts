import { withRedis } from './redis-probe.ts';

/**
 * Every Sentinel knows every replica of the master and every other Sentinel, so a failover can be
 * authorised (a quorum can form). Read from each Sentinel's own `SENTINEL master` answer.
 */
export async function sentinelsAgree(spec: {
  host: string;
  sentinels: readonly { port: number }[];
  masterName: string;
  replicas: number;
}): Promise<boolean> {
  for (const sentinel of spec.sentinels) {
    const info = (await withRedis(spec.host, sentinel.port, (r) =>
      r.call('SENTINEL', 'master', spec.masterName),
    )) as string[];
    const field = (name: string) => Number(info[info.indexOf(name) + 1]);
    if (field('num-slaves') < spec.replicas) return false;
    if (field('num-other-sentinels') < spec.sentinels.length - 1) return false;
  }
  return true;
}
