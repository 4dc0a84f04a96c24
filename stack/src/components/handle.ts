/**
 * What every provider hands out for a running component: the same shape for native processes,
 * containers and Kubernetes pods, so the load engine, chaos injectors and drills never care where a
 * component runs. Roles come from the component's own protocol (Mongo `hello`, Redis `ROLE` and
 * Sentinel, Kafka metadata and the KRaft quorum), never from what we started it as.
 */

export type ComponentName = 'mongo' | 'redis' | 'kafka' | 'app';

export type MemberRole =
  | 'primary'
  | 'secondary'
  | 'master'
  | 'replica'
  | 'sentinel'
  | 'controller-leader'
  | 'broker'
  | 'gateway'
  | 'service'
  | 'sink'
  | 'proxy'
  | 'ui'
  | 'starting'
  | 'paused'
  | 'down'
  | 'unknown';

export interface MemberStatus {
  component: ComponentName;
  member: string;
  host: string;
  port: number;
  role: MemberRole;
  healthy: boolean;
  /** A short note on what was seen, e.g. `master per 3/3 sentinels` or `ISR 3/3 on 12 partitions`. */
  detail?: string;
  pid?: number;
  uptimeS?: number;
}

export interface ComponentStatus {
  component: ComponentName;
  /** What actually runs, e.g. `MongoDB replica set rs0` or `FerretDB v1.24.2 (stand-in)`. */
  flavor: string;
  healthy: boolean;
  members: MemberStatus[];
  /** Component-level problems, e.g. `sentinels disagree on the master`. */
  problems: string[];
  /** Component-level facts worth showing, e.g. `user-events: 3 partitions, RF 3, ISR 3`. */
  notes: string[];
}

/** Where clients connect. Every client connects through these, never through hard-coded ports. */
export interface Endpoints {
  mongo: { uri: string; replicaSet: string; members: string[] };
  redis: {
    masterName: string;
    sentinels: { host: string; port: number }[];
    dataNodes: string[];
    /** Addresses Sentinel hands out, rewritten to where these clients reach them (through the fault proxy). */
    natMap?: Record<string, { host: string; port: number }>;
  };
  kafka: {
    brokers: string[];
    topics: readonly string[];
    /** Broker addresses from the metadata, rewritten to where these clients reach them (through the fault proxy). */
    addressMap?: Record<string, { host: string; port: number }>;
  };
  app: {
    /** Where the shop's web UI is (the gateway itself where it serves the UI). */
    ui: string;
    gateway: string;
    /** The gateway's internal listener for Prometheus (`/metrics`), not the public port. */
    gatewayMetrics: string;
    services: Record<string, string>;
    mailInbox: string;
    smtp: string;
  };
}

/** Process-level control of one member: what chaos and drills act through. */
export interface MemberControl {
  /** SIGKILL (or the provider's equivalent): the member dies without cleanup. */
  kill(member: string): Promise<void>;
  /** Freeze the member (SIGSTOP / container pause): it keeps its sockets but answers nothing. Resolves once it is frozen. */
  pause(member: string): Promise<void>;
  resume(member: string): Promise<void>;
  /** Stop gracefully if running, start again with the same data, wait until it is ready. */
  restart(member: string): Promise<void>;
}

/** A member as its protocol reports it now, and where clients reach it (the host's view). */
export interface Member {
  component: ComponentName;
  name: string;
  role: MemberRole;
  healthy: boolean;
  endpoint: { host: string; port: number };
}

export interface MemberFilter {
  role?: MemberRole;
  /** Kafka only: the broker that leads this partition now (from the cluster metadata). */
  leaderOf?: { topic: string; partition: number };
}

/** Where a fault proxy sits between the app and one member: clients dial `listen`, it forwards to `upstream`. */
export interface FaultPoint {
  component: ComponentName;
  member: string;
  listen: { host: string; port: number };
  upstream: { host: string; port: number };
}

export interface ComponentHandle extends MemberControl {
  readonly name: ComponentName;
  memberNames(): string[];
  status(): Promise<ComponentStatus>;
  /** The members, with the roles their protocol reports now (`filter` narrows them). */
  members(filter?: MemberFilter): Promise<Member[]>;
  /** The declared places for a fault proxy in front of this component's members (none for the app). */
  faultPoints(): FaultPoint[];
}

/** The members of a status, narrowed by role: the part of `members` every provider shares. */
export function membersOf(status: ComponentStatus, filter: Pick<MemberFilter, 'role'> = {}): Member[] {
  return status.members
    .filter((m) => filter.role === undefined || m.role === filter.role)
    .map((m) => ({
      component: m.component,
      name: m.member,
      role: m.role,
      healthy: m.healthy,
      endpoint: { host: m.host, port: m.port },
    }));
}
