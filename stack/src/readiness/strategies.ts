import type { MemberRole } from '../components/handle.ts';
import { probeMember } from '../components/app/app-probe.ts';
import { withKafkaAdmin } from '../components/kafka/kafka-probe.ts';
import { withMongoMember } from '../components/mongo/mongo-probe.ts';
import { withRedis } from '../components/redis/redis-probe.ts';
import { waitFor, type WatchedProcess } from '@stackdrill/toolkit';
import { SocksClient } from 'socks';

/**
 * How to tell that one member answers, one strategy per protocol (as Testcontainers' wait
 * strategies are): written against an address, so every provider waits the same way. `probe`
 * resolves true when ready; undefined or a throw means "not yet" (the reason is kept).
 */
export interface ReadinessStrategy {
  /** What ready means, e.g. `answer PING`. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  probe(): Promise<true | undefined>;
}

export const mongoHello = (host: string, port: number): ReadinessStrategy => ({
  what: 'answer hello',
  timeoutMs: 30_000,
  probe: () =>
    withMongoMember(
      host,
      port,
      async (c) => (await c.db('admin').command({ hello: 1 })).ok === 1 || undefined,
    ),
});

export const redisPing = (host: string, port: number): ReadinessStrategy => ({
  what: 'answer PING',
  timeoutMs: 15_000,
  probe: async () => ((await withRedis(host, port, (r) => r.ping())) === 'PONG' ? true : undefined),
});

/** The broker at `address` lists node `nodeId` among the cluster's brokers. */
export const kafkaBrokerRegistered = (address: string, nodeId: number): ReadinessStrategy => ({
  what: 'register as a broker',
  timeoutMs: 60_000,
  intervalMs: 300,
  probe: () =>
    withKafkaAdmin([address], async (admin) => {
      const cluster = await admin.describeCluster();
      return cluster.brokers.some((b) => b.nodeId === nodeId) ? true : undefined;
    }),
});

/**
 * The SOCKS5 gate at host:port opens a connection to `destination` (a member by its name on the
 * stack's network): the gate runs and resolves the names the members advertise.
 */
export const socksGateReaches = (
  host: string,
  port: number,
  destination: { host: string; port: number },
): ReadinessStrategy => ({
  what: `reach ${destination.host}:${destination.port}`,
  timeoutMs: 30_000,
  intervalMs: 250,
  probe: async () => {
    const { socket } = await SocksClient.createConnection({
      proxy: { host, port, type: 5 },
      command: 'connect',
      destination,
      timeout: 2000,
    });
    socket.destroy();
    return true;
  },
});

/** `/ready` of a service or the gateway (`/health` of the sinks) answers 200. */
export const httpReady = (host: string, port: number, role: MemberRole): ReadinessStrategy => ({
  what: 'report ready',
  timeoutMs: 90_000,
  intervalMs: 250,
  probe: async () => {
    const answer = await probeMember(host, port, role);
    if (answer.ok) return true;
    throw new Error(answer.detail);
  },
});

/** Waits until the strategy says ready; a watched process that dies ends the wait at once. */
export function waitUntil(component: string, strategy: ReadinessStrategy, watch: WatchedProcess[] = []) {
  return waitFor(() => strategy.probe(), {
    component,
    what: strategy.what,
    timeoutMs: strategy.timeoutMs,
    ...(strategy.intervalMs ? { intervalMs: strategy.intervalMs } : {}),
    watch,
  });
}
