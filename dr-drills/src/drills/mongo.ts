import { DRILL_TARGETS, type Provider } from '@stackdrill/stack';
import type { ExperimentDrill } from '../drill.ts';
import { drillExperiment } from './experiment.ts';
import { oneCanaryVerdict } from './judging.ts';

/** FerretDB stands in for MongoDB where no mongod runs: it has no replication, so no failover. */
async function mongoFlavor(
  provider: Provider,
): Promise<{ ferretdb: boolean; members: number; flavor: string }> {
  const status = await provider.handle('mongo').status();
  return {
    ferretdb: /ferretdb/i.test(status.flavor),
    members: status.members.length,
    flavor: status.flavor,
  };
}

/**
 * A real replica set: SIGKILL the primary under load; the secondaries elect a new one. RTO: until
 * the canary's `w: majority` writes are acknowledged again (target ~12 s); zero acknowledged
 * writes lost. On FerretDB, or a single member, it says why it cannot run.
 */
export function mongoPrimaryFailover(): ExperimentDrill {
  const target = DRILL_TARGETS['mongo-primary-failover'];
  return {
    name: 'mongo-primary-failover',
    title: 'MongoDB primary failover in a replica set',
    description:
      "SIGKILL the MongoDB primary under load; the replica set elects a new primary. Measures the RTO from the canary's `w: majority` writes and checks that none of them was lost. Needs a real replica set of 3 members (the containers provider or a cluster with the official image); on FerretDB it says why it cannot run, and mongo-crash-restart covers the crash.",
    canaries: ['mongo'],
    async unavailable(provider) {
      const mongo = await mongoFlavor(provider);
      if (mongo.ferretdb)
        return `MongoDB here is ${mongo.flavor}: FerretDB has no replication, so there is no secondary to elect (mongo-crash-restart drills its crash instead)`;
      if (mongo.members < 3) return `the replica set has ${mongo.members} member(s); a failover needs 3`;
      return undefined;
    },
    experiment: async () =>
      drillExperiment({
        title: 'The MongoDB primary dies under load',
        steps: [{ name: 'kill-the-mongo-primary', fault: 'kill', target: 'mongo:primary', durationS: 20 }],
      }),
    judge: async (_ctx, outcome) =>
      oneCanaryVerdict(outcome, 'mongo', target.rtoS, 'a new primary acknowledges w: majority writes'),
  };
}

/**
 * FerretDB (or a single member): SIGKILL the database under load and start it again at once. RTO:
 * until the canary's writes are acknowledged again; zero acknowledged writes lost (FerretDB's
 * SQLite commits each write before it answers).
 */
export function mongoCrashRestart(): ExperimentDrill {
  const target = DRILL_TARGETS['mongo-crash-restart'];
  return {
    name: 'mongo-crash-restart',
    title: 'MongoDB crash and restart',
    description:
      "SIGKILL the MongoDB primary (here FerretDB, which has no replication) under load and start it again a second later. Measures the RTO from the canary's writes and checks that every acknowledged write is there after the restart.",
    canaries: ['mongo'],
    async unavailable(provider) {
      const mongo = await mongoFlavor(provider);
      if (!mongo.ferretdb && mongo.members >= 3)
        return `MongoDB here is a replica set of ${mongo.members} (${mongo.flavor}): its crash is a failover, which mongo-primary-failover drills`;
      return undefined;
    },
    experiment: async () =>
      drillExperiment({
        title: 'MongoDB crashes under load and starts again',
        steps: [{ name: 'kill-mongo', fault: 'kill', target: 'mongo:primary', durationS: 1 }],
      }),
    judge: async (_ctx, outcome) =>
      oneCanaryVerdict(outcome, 'mongo', target.rtoS, 'writes acknowledged after the restart'),
  };
}
