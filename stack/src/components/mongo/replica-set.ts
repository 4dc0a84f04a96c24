import { withMongoMember } from './mongo-probe.ts';

/**
 * Initiates the replica set from its first member, naming every member by the address the others
 * reach it at; a set that is already initiated is left as it is (code 23, AlreadyInitialized).
 */
export async function initiateReplicaSet(set: {
  replicaSet: string;
  /** Where this machine reaches the first member. */
  first: { host: string; port: number };
  /** Every member, as the members reach each other (`host:port`). */
  members: string[];
}): Promise<void> {
  await withMongoMember(set.first.host, set.first.port, async (client) => {
    try {
      await client.db('admin').command({
        replSetInitiate: { _id: set.replicaSet, members: set.members.map((host, i) => ({ _id: i, host })) },
      });
    } catch (error) {
      if ((error as { code?: number }).code !== 23) throw error;
    }
  });
}
