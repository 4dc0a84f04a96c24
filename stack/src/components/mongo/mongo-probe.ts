import { MongoClient, type Document } from 'mongodb';
import type { ComponentStatus, MemberStatus } from '../handle.ts';

export type MongoFlavor = 'mongod' | 'ferretdb';

export interface MongoProbeTarget {
  host: string;
  replicaSet: string;
  members: { name: string; port: number }[];
  flavor: MongoFlavor;
  /** The URI this machine's clients use, when it is not `mongoUri`'s (through a gate: `gatedMongoUri`). */
  clientUri?: string;
}

/**
 * The URI every client uses: all members, the replica set name and majority writes. With FerretDB
 * there is one member, which answers `hello` with the same set name, so the same code works on both.
 */
export function mongoUri(
  target: Omit<MongoProbeTarget, 'flavor'>,
  /** Where the client reaches a member (default: the target's host). */
  hostOf: (member: { name: string }) => string = () => target.host,
): string {
  const hosts = target.members.map((m) => `${hostOf(m)}:${m.port}`).join(',');
  return `mongodb://${hosts}/?replicaSet=${target.replicaSet}&w=majority`;
}

/**
 * The URI for a client that reaches the members through a SOCKS5 gate on their network (containers):
 * the names they have there, which the gate resolves, with the driver's own proxy options. FerretDB's
 * one member calls itself `0.0.0.0` in its `hello`, which the gate would take for itself: a direct
 * connection to it instead of following the set.
 */
export function gatedMongoUri(
  target: Pick<MongoProbeTarget, 'replicaSet' | 'members' | 'flavor'>,
  gate: { host: string; port: number },
  nameOf: (member: { name: string }) => string,
): string {
  const hosts = target.members.map((m) => `${nameOf(m)}:${m.port}`).join(',');
  const set = target.flavor === 'ferretdb' ? 'directConnection=true' : `replicaSet=${target.replicaSet}`;
  return `mongodb://${hosts}/?${set}&w=majority&proxyHost=${gate.host}&proxyPort=${gate.port}`;
}

/** A direct connection to one member that gives up quickly (for probes and set-up commands). */
export async function withMongoMember<T>(
  host: string,
  port: number,
  fn: (client: MongoClient) => Promise<T>,
): Promise<T> {
  const client = new MongoClient(`mongodb://${host}:${port}/?directConnection=true`, {
    serverSelectionTimeoutMS: 1500,
    connectTimeoutMS: 1500,
    socketTimeoutMS: 5000,
  });
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.close();
  }
}

export async function probeMongo(target: MongoProbeTarget): Promise<ComponentStatus> {
  const members: MemberStatus[] = [];
  const problems: string[] = [];
  let version = '';
  for (const m of target.members) {
    const base = { component: 'mongo' as const, member: m.name, host: target.host, port: m.port };
    try {
      const [hello, build] = await withMongoMember(target.host, m.port, async (c) => [
        await c.db('admin').command({ hello: 1 }),
        await c.db('admin').command({ buildInfo: 1 }),
      ]);
      version ||= describeBuild(build);
      if (hello.setName !== target.replicaSet) {
        members.push({
          ...base,
          role: 'starting',
          healthy: false,
          detail: `not in replica set ${target.replicaSet} yet`,
        });
      } else if (hello.isWritablePrimary) {
        members.push({
          ...base,
          role: 'primary',
          healthy: true,
          detail: `set ${hello.setName}, ${hello.hosts?.length ?? 0} hosts`,
        });
      } else if (hello.secondary) {
        members.push({
          ...base,
          role: 'secondary',
          healthy: true,
          detail: `set ${hello.setName}, primary ${hello.primary ?? 'unknown'}`,
        });
      } else {
        members.push({ ...base, role: 'starting', healthy: false, detail: 'neither primary nor secondary' });
      }
    } catch (error) {
      members.push({ ...base, role: 'down', healthy: false, detail: (error as Error).message });
    }
  }
  const primaries = members.filter((m) => m.role === 'primary').length;
  if (primaries !== 1) problems.push(`${primaries} primaries`);
  const flavor =
    target.flavor === 'ferretdb'
      ? `FerretDB ${version || ''} on SQLite, stand-in for MongoDB (one process, no replication)`.replace(
          '  ',
          ' ',
        )
      : `MongoDB ${version} replica set ${target.replicaSet}`;
  return {
    component: 'mongo',
    flavor,
    healthy: problems.length === 0 && members.every((m) => m.healthy),
    members,
    problems,
    notes: [`clients connect with ${target.clientUri ?? mongoUri(target)}`],
  };
}

function describeBuild(build: Document): string {
  return typeof build.ferretdbVersion === 'string' ? build.ferretdbVersion : String(build.version ?? '');
}
