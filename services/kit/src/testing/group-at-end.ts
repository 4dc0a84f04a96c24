import { Kafka, logLevel } from 'kafkajs';

/**
 * For tests that start a consumer in a new group: commits the group's offsets at the current end of
 * each topic, so the consumer starts there instead of reading the whole history other tests left on
 * the shared stack (a new group reads from the beginning, which on a used stack takes minutes).
 */
export async function startGroupAtEnd(brokers: string[], groupId: string, topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'group-at-end', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
