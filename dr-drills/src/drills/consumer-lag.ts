import { withKafkaAdmin, type Provider } from '@stackdrill/stack';
import { AssignerProtocol } from 'kafkajs';

/** Each live consumer group (members joined: the services') and its lag summed over the stack's topics. */
export async function consumerLag(provider: Provider): Promise<Map<string, number>> {
  const { kafka } = provider.endpoints('host');
  return withKafkaAdmin(kafka.brokers, async (admin) => {
    const { groups } = await admin.listGroups();
    const described = await admin.describeGroups(groups.map((g) => g.groupId));
    const live = described.groups.filter((g) => g.state === 'Stable' && g.members.length > 0);
    const ends = new Map<string, Map<number, number>>();
    for (const topic of kafka.topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      ends.set(topic, new Map(offsets.map((o) => [o.partition, Number(o.high)])));
    }
    const lag = new Map<string, number>();
    for (const group of live) {
      // Only the topics its members were given: a group commits nothing on the topics it does not read.
      const topics = new Set(
        group.members.flatMap((m) =>
          Object.keys(AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}),
        ),
      );
      const read = kafka.topics.filter((t) => topics.has(t));
      if (read.length === 0) continue;
      const committed = await admin.fetchOffsets({ groupId: group.groupId, topics: read });
      let sum = 0;
      for (const { topic, partitions } of committed) {
        for (const p of partitions) {
          const end = ends.get(topic)?.get(p.partition) ?? 0;
          const at = Number(p.offset);
          // -1: nothing committed yet; the group reads from the start.
          sum += Math.max(0, end - (at < 0 ? 0 : at));
        }
      }
      lag.set(group.groupId, sum);
    }
    return lag;
  });
}

/** Polls until every live group's lag is 0, or the bound passes; says how long it took or what was left. */
export async function untilLagZero(
  provider: Provider,
  boundS: number,
): Promise<{ afterS: number | undefined; last: Map<string, number> }> {
  const t0 = Date.now();
  let last = new Map<string, number>();
  while (Date.now() - t0 < boundS * 1000) {
    try {
      last = await consumerLag(provider);
      if (last.size > 0 && [...last.values()].every((v) => v === 0))
        return { afterS: (Date.now() - t0) / 1000, last };
    } catch {
      // the cluster may still be settling: ask again
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return { afterS: undefined, last };
}
