import { Connection, describeQuorumV0 } from '@platformatic/kafka';

/** The KRaft metadata log: its one partition's leader is the active controller. */
const METADATA_TOPIC = '__cluster_metadata';

export interface QuorumState {
  /** The node id of the active controller (the quorum leader). */
  leaderId: number;
  leaderEpoch: number;
  highWatermark: bigint;
  /** Every voter with the log end offset the leader has seen from it (-1: not known). */
  voters: { nodeId: number; logEndOffset: bigint }[];
}

/**
 * The KRaft quorum as the protocol reports it: the DescribeQuorum request (API key 55, what
 * `kafka-metadata-quorum.sh describe --status` sends), asked of each broker in turn until one
 * answers. Brokers forward it to the active controller. kafkajs has no DescribeQuorum, so this one
 * request goes through @platformatic/kafka's protocol layer. Undefined when no broker answered or
 * the quorum has no leader (an election is under way).
 */
export async function describeQuorum(
  brokers: { host: string; port: number }[],
  timeoutMs = 3000,
): Promise<QuorumState | undefined> {
  for (const broker of brokers) {
    const connection = new Connection('stackdrill-probe', {
      connectTimeout: Math.min(1500, timeoutMs),
      requestTimeout: timeoutMs,
    });
    // A broker that is down only ends this attempt; its error is not the probe's.
    connection.on('error', () => {});
    try {
      await connection.connect(broker.host, broker.port);
      const response = await describeQuorumV0.api.async(connection, [
        { topicName: METADATA_TOPIC, partitions: [{ partitionIndex: 0 }] },
      ]);
      const partition = response.topics[0]?.partitions[0];
      if (!partition || partition.leaderId < 0) return undefined;
      return {
        leaderId: partition.leaderId,
        leaderEpoch: partition.leaderEpoch,
        highWatermark: partition.highWatermark,
        voters: partition.currentVoters.map((v) => ({ nodeId: v.replicaId, logEndOffset: v.logEndOffset })),
      };
    } catch {
      // this broker is down or not ready: ask the next one
    } finally {
      await connection.close().catch(() => {});
    }
  }
  return undefined;
}
