import { waitFor, type WatchedProcess } from '@stackdrill/toolkit';
import { topicHealth, withKafkaAdmin } from './kafka-probe.ts';

export interface KafkaClusterSpec {
  /** Where the brokers answer (any provider's addresses for them). */
  brokers: string[];
  topics: readonly string[];
  partitionsPerTopic: number;
  replicationFactor: number;
  minInsyncReplicas: number;
}

/**
 * A Kafka cluster made ready through the protocol alone, whatever runs its brokers: every broker in
 * the cluster metadata, the topics at their replication factor and min ISR (created when missing),
 * and every partition fully in sync as every broker sees it.
 */
export async function bootstrapKafka(
  spec: KafkaClusterSpec,
  report: (message: string) => void,
  watch: WatchedProcess[] = [],
): Promise<void> {
  const count = spec.brokers.length;
  report(`waiting for ${count} brokers in the cluster metadata`);
  await waitFor(
    () =>
      withKafkaAdmin(spec.brokers, async (admin) => {
        const { brokers } = await admin.describeCluster();
        return brokers.length === count ? true : undefined;
      }),
    { component: 'kafka', what: `show ${count} brokers`, timeoutMs: 60_000, watch },
  );
  report('creating topics');
  // Right after start the metadata may not list a new topic's partitions yet: retry until it does.
  await waitFor(async () => (await ensureTopics(spec), true), {
    component: 'kafka',
    what: `create topics ${spec.topics.join(', ')}`,
    timeoutMs: 60_000,
    intervalMs: 500,
    watch,
  });
  report(`waiting for ISR ${spec.replicationFactor} on every partition, as every broker sees it`);
  // Metadata reaches each broker on its own schedule: ready means every broker reports it.
  await waitFor(
    async () => {
      for (const broker of spec.brokers) {
        const health = await withKafkaAdmin([broker], (admin) => topicHealth(admin, spec.topics));
        const lagging = health.filter((t) => t.underReplicated > 0 || t.minIsr < spec.replicationFactor);
        if (health.length < spec.topics.length || lagging.length > 0) {
          throw new Error(`${broker} does not yet see every topic fully in sync`);
        }
      }
      return true;
    },
    {
      component: 'kafka',
      what: 'have every partition fully in sync on every broker',
      timeoutMs: 60_000,
      watch,
    },
  );
}

async function ensureTopics(spec: KafkaClusterSpec): Promise<void> {
  await withKafkaAdmin(spec.brokers, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const missing = spec.topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: spec.partitionsPerTopic,
        replicationFactor: spec.replicationFactor,
        configEntries: [
          { name: 'min.insync.replicas', value: String(spec.minInsyncReplicas) },
          { name: 'unclean.leader.election.enable', value: 'false' },
        ],
      })),
    });
  });
}
