import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { ComponentStatus, MemberStatus } from '../handle.ts';
import { describeQuorum } from './kafka-quorum.ts';

export interface KafkaProbeTarget {
  host: string;
  nodes: { name: string; nodeId: number; port: number }[];
  topics: readonly string[];
  replicationFactor: number;
}

/** An admin client that fails fast: probes must answer within seconds, not retry for minutes. */
export async function withKafkaAdmin<T>(brokers: string[], fn: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = new Kafka({
    clientId: 'stackdrill-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1500,
    requestTimeout: 5000,
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The node id of the broker leading a partition now, from the cluster metadata (undefined: no leader). */
export async function partitionLeader(
  brokers: string[],
  topic: string,
  partition: number,
): Promise<number | undefined> {
  return withKafkaAdmin(brokers, async (admin) => {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const leader = metadata?.partitions.find((p) => p.partitionId === partition)?.leader;
    return leader === undefined || leader < 0 ? undefined : leader;
  });
}

export interface TopicHealth {
  topic: string;
  partitions: number;
  /** Partitions whose in-sync replica set is smaller than the replication factor. */
  underReplicated: number;
  replicationFactor: number;
  /** The smallest in-sync replica set over the topic's partitions. */
  minIsr: number;
}

/** Replication of the given topics, as the cluster metadata tells it. Missing topics are absent. */
export async function topicHealth(admin: Admin, topics: readonly string[]): Promise<TopicHealth[]> {
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  if (present.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics: present });
  return metadata.topics.map((t) => {
    const rf = Math.min(...t.partitions.map((p) => p.replicas.length));
    return {
      topic: t.name,
      partitions: t.partitions.length,
      replicationFactor: rf,
      minIsr: Math.min(...t.partitions.map((p) => p.isr.length)),
      underReplicated: t.partitions.filter((p) => p.isr.length < p.replicas.length).length,
    };
  });
}

/**
 * Brokers from the cluster metadata, topics with their replication, and the KRaft quorum leader
 * (from DescribeQuorum) marked as `controller-leader`.
 */
export async function probeKafka(target: KafkaProbeTarget): Promise<ComponentStatus> {
  const problems: string[] = [];
  const brokers = target.nodes.map((n) => `${target.host}:${n.port}`);
  let live = new Set<number>();
  let topics: TopicHealth[] = [];
  let quorumLeader: number | undefined;
  try {
    await withKafkaAdmin(brokers, async (admin) => {
      const cluster = await admin.describeCluster();
      live = new Set(cluster.brokers.map((b) => b.nodeId));
      topics = await topicHealth(admin, target.topics);
    });
    const reachable = target.nodes
      .filter((n) => live.has(n.nodeId))
      .map((n) => ({ host: target.host, port: n.port }));
    quorumLeader = (await describeQuorum(reachable))?.leaderId;
    if (live.size > 0 && quorumLeader === undefined) problems.push('the KRaft quorum has no leader');
  } catch (error) {
    problems.push(`no broker answered: ${(error as Error).message}`);
  }
  const members: MemberStatus[] = target.nodes.map((n) => {
    const up = live.has(n.nodeId);
    return {
      component: 'kafka',
      member: n.name,
      host: target.host,
      port: n.port,
      role: !up ? 'down' : n.nodeId === quorumLeader ? 'controller-leader' : 'broker',
      healthy: up,
      detail: up ? `node ${n.nodeId}, broker + controller` : `node ${n.nodeId} not in the cluster metadata`,
    };
  });
  if (live.size > 0) {
    for (const name of target.topics) {
      const t = topics.find((h) => h.topic === name);
      if (!t) problems.push(`topic ${name} is missing`);
      else if (t.replicationFactor < target.replicationFactor)
        problems.push(
          `topic ${name} has replication factor ${t.replicationFactor}, want ${target.replicationFactor}`,
        );
      else if (t.underReplicated > 0)
        problems.push(`topic ${name}: ${t.underReplicated}/${t.partitions} partitions under-replicated`);
    }
  }
  return {
    component: 'kafka',
    flavor: 'Apache Kafka (KRaft, 3 combined nodes)',
    healthy: problems.length === 0 && members.every((m) => m.healthy),
    members,
    problems,
    // In the topology's order, whatever order the metadata came in.
    notes: target.topics
      .map((name) => topics.find((t) => t.topic === name))
      .filter((t) => t !== undefined)
      .map((t) => `${t.topic}: ${t.partitions} partitions, RF ${t.replicationFactor}, ISR ${t.minIsr}`),
  };
}
