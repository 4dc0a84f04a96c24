import { Redis } from 'ioredis';
import type { ComponentStatus, MemberStatus } from '../handle.ts';

export interface RedisProbeTarget {
  host: string;
  masterName: string;
  dataNodes: { name: string; port: number }[];
  sentinels: { name: string; port: number }[];
  /** The address Sentinel names a data node by (default: `host:port`; containers: its name on the stack's network). */
  announced?: (node: { name: string; port: number }) => string;
}

/** The address the Sentinels name a data node by. */
export function announcedAddress(target: RedisProbeTarget, node: { name: string; port: number }): string {
  return target.announced ? target.announced(node) : `${target.host}:${node.port}`;
}

/** The data node the Sentinels name by `address`, if it is one of the target's. */
export function nodeAt(target: RedisProbeTarget, address: string | undefined) {
  return address ? target.dataNodes.find((n) => announcedAddress(target, n) === address) : undefined;
}

/** One short-lived connection that fails fast instead of retrying (a probe must not hang). */
export async function withRedis<T>(host: string, port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 1500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {}); // reported through the rejected command instead
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

type RoleReply = ['master', number, unknown[]] | ['slave', string, number, string, number];

/** The master the sentinels name, as `host:port`, or undefined when none answers. */
export async function sentinelMaster(target: RedisProbeTarget): Promise<string | undefined> {
  for (const sentinel of target.sentinels) {
    try {
      const addr = (await withRedis(target.host, sentinel.port, (r) =>
        r.call('SENTINEL', 'get-master-addr-by-name', target.masterName),
      )) as [string, string] | null;
      if (addr) return `${addr[0]}:${addr[1]}`;
    } catch {
      // try the next sentinel
    }
  }
  return undefined;
}

export async function probeRedis(target: RedisProbeTarget): Promise<ComponentStatus> {
  const problems: string[] = [];
  const members: MemberStatus[] = [];
  const masters: string[] = [];

  for (const node of target.dataNodes) {
    const base = { component: 'redis' as const, member: node.name, host: target.host, port: node.port };
    try {
      const role = (await withRedis(target.host, node.port, (r) => r.call('ROLE'))) as RoleReply;
      if (role[0] === 'master') {
        masters.push(announcedAddress(target, node));
        members.push({
          ...base,
          role: 'master',
          healthy: true,
          detail: `${role[2].length} replicas connected`,
        });
      } else {
        const linked = role[3] === 'connected';
        members.push({
          ...base,
          role: 'replica',
          healthy: linked,
          detail: `of ${role[1]}:${role[2]}, link ${role[3]}`,
        });
      }
    } catch (error) {
      members.push({ ...base, role: 'down', healthy: false, detail: (error as Error).message });
    }
  }

  const views: string[] = [];
  for (const sentinel of target.sentinels) {
    const base = {
      component: 'redis' as const,
      member: sentinel.name,
      host: target.host,
      port: sentinel.port,
    };
    try {
      const [addr, info] = await withRedis(target.host, sentinel.port, async (r) => [
        (await r.call('SENTINEL', 'get-master-addr-by-name', target.masterName)) as [string, string] | null,
        (await r.call('SENTINEL', 'master', target.masterName)) as string[],
      ]);
      const fields = new Map<string, string>();
      for (let i = 0; i + 1 < info.length; i += 2) fields.set(info[i] as string, info[i + 1] as string);
      const view = addr ? `${addr[0]}:${addr[1]}` : 'none';
      views.push(view);
      const flags = fields.get('flags') ?? '';
      const healthy = addr !== null && !flags.includes('down');
      members.push({
        ...base,
        role: 'sentinel',
        healthy,
        detail: `master ${view} (${flags}), sees ${fields.get('num-slaves')} replicas, ${fields.get('num-other-sentinels')} other sentinels`,
      });
    } catch (error) {
      members.push({ ...base, role: 'down', healthy: false, detail: (error as Error).message });
    }
  }

  if (masters.length !== 1) problems.push(`${masters.length} data nodes claim to be master`);
  const agreed = new Set(views);
  if (agreed.size > 1) problems.push(`sentinels disagree on the master: ${[...agreed].join(' vs ')}`);
  if (agreed.size === 1 && masters.length === 1 && !agreed.has(masters[0]!)) {
    problems.push(`sentinels name ${[...agreed][0]} but ${masters[0]} is master`);
  }
  const masterMember = members.find((m) => m.role === 'master');
  const masterNode = masterMember && target.dataNodes.find((n) => n.name === masterMember.member);
  if (masterMember && masterNode && agreed.size === 1 && agreed.has(announcedAddress(target, masterNode))) {
    masterMember.detail = `${masterMember.detail}, named by ${views.length}/${target.sentinels.length} sentinels`;
  }

  return {
    component: 'redis',
    flavor: 'Redis with Sentinel',
    healthy: problems.length === 0 && members.every((m) => m.healthy),
    members,
    problems,
    notes:
      agreed.size === 1 && views.length > 0
        ? [
            `${views.length}/${target.sentinels.length} sentinels name master ${views[0]} ("${target.masterName}")`,
          ]
        : [],
  };
}
