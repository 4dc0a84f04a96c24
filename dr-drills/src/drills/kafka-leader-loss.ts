import { DRILL_TARGETS } from '@stackdrill/stack';
import type { ExperimentDrill, DrillContext } from '../drill.ts';
import { untilLagZero } from './consumer-lag.ts';
import { drillExperiment } from './experiment.ts';
import { canaryOf, noLossCheck, rtoCheck, secondsOf } from './judging.ts';

const TARGET = DRILL_TARGETS['kafka-leader-loss'];

/**
 * Two phases under load. First SIGKILL the leader of the canary's partition (the busiest: it takes
 * a record every 100 ms): another in-sync replica leads, no acknowledged record is lost, produce
 * latency is back under its objective within the target, and the services' consumer groups catch
 * up. Then 2 of the 3 brokers at once: with `min.insync.replicas` 2 and `acks=all`, producing must
 * fail (an error, never a silent loss) until they are back.
 */
export function kafkaLeaderLoss(): ExperimentDrill {
  let leader = '';
  let others: string[] = [];
  return {
    name: 'kafka-leader-loss',
    title: 'Kafka partition leader loss, then 2 of 3 brokers down',
    description:
      'SIGKILL the broker leading the canary partition under load: zero acknowledged records lost (read back and compared by sequence), produce p95 back under its objective within the target, consumer lag back to 0. Then 2 of 3 brokers down at once: producers get errors, never silent loss, and everything recovers once they are back.',
    canaries: ['kafka'],
    canaryOptions: { kafka: { timeoutMs: 5000 } },
    recoveredWhen: { kafka: { slowMs: TARGET.produceP95Ms, healthyForMs: 2000 } },
    async experiment(ctx) {
      leader = await leaderMember(ctx);
      const brokers = (await ctx.provider.handle('kafka').members()).map((m) => m.name);
      others = brokers.filter((b) => b !== leader);
      ctx.note(`the canary partition's leader is ${leader}; phase 2 takes down ${others.join(' and ')}`);
      return drillExperiment({
        title: 'A Kafka leader dies, then two brokers',
        steps: [
          { name: `kill-the-leader-${leader}`, fault: 'kill', target: leader, durationS: 10, afterS: 20 },
          { name: `kill-${others[0]}`, fault: 'kill', target: others[0]!, durationS: 15, background: true },
          { name: `kill-${others[1]}`, fault: 'kill', target: others[1]!, durationS: 10 },
        ],
        recoveryS: 180,
      });
    },
    async judge(ctx, outcome) {
      const kafka = canaryOf(outcome, 'kafka');
      const phase2 = outcome.experiment.faults.filter((f) => others.some((o) => f.members.includes(o)));
      const from = Math.max(...phase2.map((f) => f.injectedAt));
      const to = Math.min(...phase2.map((f) => f.revertedAt));
      // The writes sent while both were down (from the second kill to the first revert).
      const writes = outcome.logs.kafka!.filter((w) => w.sentAt >= from && w.sentAt < to);
      const refused = writes.filter((w) => w.ackedAt === undefined).length;
      const lastRevert = Math.max(...outcome.experiment.faults.map((f) => f.revertedAt));
      const after = outcome.logs.kafka!.filter((w) => w.sentAt > lastRevert + 5000);
      const lag = await untilLagZero(ctx.provider, TARGET.lagZeroWithinS);
      return {
        rtoS: secondsOf(kafka.rtoMs),
        rpoS: secondsOf(kafka.rpoMs),
        checks: [
          rtoCheck(
            kafka,
            TARGET.rtoS,
            `produce latency back under ${TARGET.produceP95Ms} ms after the leader's loss`,
          ),
          noLossCheck(kafka),
          {
            name: 'with 2 of 3 brokers down, producing fails (no silent loss)',
            ok: phase2.length === 2 && writes.length > 0 && refused > 0 && kafka.lost.length === 0,
            detail: `${refused} of the ${writes.length} writes sent while both were down were refused or timed out, ${writes.length - refused} acknowledged; none of the acknowledged lost: ${kafka.lost.length === 0}`,
          },
          {
            name: 'producing works again once the brokers are back',
            ok: after.length > 0 && after.every((w) => w.ackedAt !== undefined),
            detail: `${after.filter((w) => w.ackedAt !== undefined).length} of ${after.length} writes acknowledged from 5 s after the last restart`,
          },
          {
            name: `consumer lag back to 0 within ${TARGET.lagZeroWithinS} s`,
            ok: lag.afterS !== undefined,
            detail:
              lag.afterS !== undefined
                ? `every live group at 0 ${lag.afterS.toFixed(1)} s after the recovery (${[...lag.last.keys()].join(', ')})`
                : `still lagging: ${[...lag.last].map(([g, n]) => `${g} ${n}`).join(', ') || 'no live group answered'}`,
          },
        ],
      };
    },
  };
}

/** The member leading the canary's partition now, matched by its address. */
async function leaderMember(ctx: DrillContext): Promise<string> {
  const address = await ctx.kafkaCanaryLeader!();
  const members = await ctx.provider.handle('kafka').members();
  const member = members.find((m) => `${m.endpoint.host}:${m.endpoint.port}` === address);
  if (!member) throw new Error(`no broker of the stack is at ${address}, the canary partition's leader`);
  return member.name;
}
