import { DRILL_TARGETS, ZONES, dataTierMembersIn, type Zone } from '@stackdrill/stack';
import type { Check, ExperimentDrill, DrillContext } from '../drill.ts';
import { drillExperiment } from './experiment.ts';
import { canaryOf, noLossCheck, rtoCheck, secondsOf } from './judging.ts';

const HOLD_S = 20;

/**
 * A zone goes dark: every data-tier member the topology puts in it (a MongoDB member, a Redis node
 * and a Sentinel, a Kafka node) is SIGKILLed at once and stays down for 20 s. The zone chosen is
 * the Redis master's (the worst case for Redis). Redis and Kafka have a majority in the other two
 * zones, so their writes must come back while the zone is still down, within their targets, and
 * Kafka must lose no acknowledged record. MongoDB: a real replica set elects a primary in another
 * zone; FerretDB has one member, so when it is in the lost zone its writes come back only with the
 * zone, and the drill says so.
 */
export function zoneLoss(): ExperimentDrill {
  let zone: Zone = 'zone-a';
  let victims: string[] = [];
  let mongoAlone = false;
  return {
    name: 'zone-loss',
    title: 'One zone lost: its members of every tier at once',
    description: `SIGKILL every data-tier member of one zone (the Redis master's) at once and keep them down for ${HOLD_S} s. Redis and Kafka must recover in the other two zones within their targets while the zone is down, with no acknowledged Kafka record lost; MongoDB fails over in a real replica set (on FerretDB, whose one member may be in the lost zone, it recovers with the zone). Every canary's acknowledged writes are compared afterwards.`,
    canaries: ['redis', 'kafka', 'mongo'],
    canaryOptions: { kafka: { timeoutMs: 5000 } },
    recoveredWhen: { kafka: { slowMs: DRILL_TARGETS['kafka-leader-loss'].produceP95Ms, healthyForMs: 2000 } },
    async experiment(ctx) {
      zone = await masterZone(ctx);
      const present = new Set(ctx.provider.handles().flatMap((h) => h.memberNames()));
      victims = dataTierMembersIn(zone).filter((m) => present.has(m));
      const mongo = ctx.provider.handle('mongo');
      mongoAlone = mongo.memberNames().length === 1 && victims.includes(mongo.memberNames()[0]!);
      ctx.note(`zone ${zone} goes: ${victims.join(', ')}`);
      return drillExperiment({
        title: `Zone ${zone} is lost`,
        steps: victims.map((member, i) => ({
          name: `lose-${member}`,
          fault: 'kill' as const,
          target: member,
          durationS: HOLD_S,
          // All at once: each but the last runs alongside the next.
          background: i < victims.length - 1,
        })),
        recoveryS: 180,
      });
    },
    async judge(_ctx, outcome) {
      const redis = canaryOf(outcome, 'redis');
      const kafka = canaryOf(outcome, 'kafka');
      const mongo = canaryOf(outcome, 'mongo');
      const lastRevert = Math.max(...outcome.experiment.faults.map((f) => f.revertedAt));
      const mongoAfter = (outcome.logs.mongo ?? []).filter((w) => w.sentAt > lastRevert + 5000);
      const mongoCheck: Check = mongoAlone
        ? {
            name: 'MongoDB writes come back with the zone (its only member was in it)',
            ok: mongoAfter.length > 0 && mongoAfter.every((w) => w.ackedAt !== undefined),
            detail: `FerretDB has one member, in ${zone}: no failover is possible; ${mongoAfter.filter((w) => w.ackedAt !== undefined).length} of ${mongoAfter.length} writes acknowledged from 5 s after the zone came back`,
          }
        : rtoCheck(mongo, DRILL_TARGETS['mongo-primary-failover'].rtoS, 'a primary in another zone');
      const rtos = [redis.rtoMs, kafka.rtoMs, ...(mongoAlone ? [] : [mongo.rtoMs])];
      return {
        rtoS: rtos.some((r) => r === undefined) ? undefined : secondsOf(Math.max(...(rtos as number[]))),
        rpoS: secondsOf(Math.max(redis.rpoMs, kafka.rpoMs, mongo.rpoMs)),
        checks: [
          rtoCheck(redis, DRILL_TARGETS['redis-master-failover'].rtoS, `Redis writes in the other zones`),
          rtoCheck(kafka, DRILL_TARGETS['kafka-leader-loss'].rtoS, `Kafka produce in the other zones`),
          noLossCheck(kafka),
          mongoCheck,
          noLossCheck(mongo),
        ],
        notes: [
          `zone ${zone} lost for ${HOLD_S} s: ${victims.join(', ')}`,
          `acknowledged Redis writes lost: ${redis.lost.length} of ${redis.acked} (asynchronous replication: reported, not judged)`,
          ...(mongoAlone
            ? [`MongoDB RTO (with the zone): ${secondsOf(mongo.rtoMs)?.toFixed(1) ?? 'not measured'} s`]
            : []),
        ],
      };
    },
  };
}

/** The zone of the Redis master now (the topology's, by member name). */
async function masterZone(ctx: DrillContext): Promise<Zone> {
  const [master] = await ctx.provider.handle('redis').members({ role: 'master' });
  return ZONES.find((z) => master && dataTierMembersIn(z).includes(master.name)) ?? 'zone-a';
}
