import type { LoadSummary } from '@stackdrill/loadtests';
import { APP, DRILL_TARGETS, seedStack } from '@stackdrill/stack';
import type { FaultRun } from '@stackdrill/chaos';
import { canaryProduct, OrderCanary } from '../canary/order-canary.ts';
import type { Check, ExperimentDrill } from '../drill.ts';
import { checkInvariants } from '../invariants/business-invariants.ts';
import { drillExperiment } from './experiment.ts';

const TARGET = DRILL_TARGETS['service-crash'];
/** Every service, then the gateway: each SIGKILLed under load and started again. */
const VICTIMS = [...APP.services.map((s) => s.name), APP.gateway.name];

/**
 * SIGKILL each service and the gateway in turn under load (a crash mid-request, mid-publish,
 * mid-consume), start it again, and then prove the shop's invariants on everything paid during the
 * drill: each paid order confirmed exactly once and counted once by analytics, no stock oversold,
 * no order the client saw accepted lost. The business canary (a shopper ordering and paying with
 * idempotency keys, retrying through the crashes) says what a client was promised.
 */
export function serviceCrash(options: { victims?: readonly string[] } = {}): ExperimentDrill {
  const victims = options.victims ?? VICTIMS;
  let since = new Date();
  let orders: OrderCanary | undefined;
  return {
    name: 'service-crash',
    title: 'Each service and the gateway crash under load',
    description:
      'SIGKILL each of the five services and the gateway in turn under load and start it again. RTO per service: from its restart to the load answering without errors again (warm-up: until its latency is back to where it was). Then the invariants on everything paid during the drill: exactly one confirmation per paid order, counted once by analytics, no stock oversold, no accepted order lost.',
    canaries: [],
    async prepare(ctx) {
      since = new Date();
      const { adminToken } = await seedStack(ctx.provider);
      const product = await canaryProduct(ctx.provider, adminToken, 2000);
      orders = new OrderCanary(ctx.provider, product);
      ctx.note(`the business canary orders product ${product} as a seeded customer, twice a second`);
    },
    extraCanaries: () => [{ store: orders!, options: { intervalMs: 500, timeoutMs: 30_000 } }],
    experiment: async () =>
      drillExperiment({
        title: 'Every service crashes in turn under load',
        steps: victims.map((name) => ({
          name: `kill-${name}`,
          fault: 'kill' as const,
          target: name,
          durationS: 2,
          afterS: 8,
        })),
      }),
    async judge(ctx, outcome) {
      const recoveries = outcome.experiment.faults.map((f) => recoveryOf(f, outcome.experiment.load));
      const paid = orders!.orders.filter((o) => o.paid).map((o) => o.orderId);
      const invariants = await checkInvariants(ctx.provider, {
        since,
        paidOrders: paid,
        acceptedMissing: await orders!.missingAccepted(),
      });
      const worst = recoveries.reduce<number | undefined>(
        (max, r) => (r.rtoS === undefined || max === undefined ? undefined : Math.max(max, r.rtoS)),
        0,
      );
      const rtoChecks: Check[] = recoveries.map((r) => ({
        name: `RTO ≤ ${TARGET.rtoS} s after ${r.member} restarts`,
        ok: r.rtoS !== undefined && r.rtoS <= TARGET.rtoS,
        detail:
          r.rtoS === undefined
            ? 'the load still saw errors when the drill ended'
            : `${r.rtoS.toFixed(0)} s to a second without errors after the restart; warm-up ${r.warmUpS === undefined ? 'not over' : `${r.warmUpS.toFixed(0)} s`} (latency back to its level before the crash)`,
      }));
      return {
        rtoS: worst,
        rpoS: 0,
        checks: [...rtoChecks, ...invariants],
        notes: [
          `the business canary placed ${orders!.orders.length} orders and saw ${paid.length} paid`,
          ...recoveries.map(
            (r) =>
              `${r.member}: errors in ${r.errorSeconds} s of load around its crash; warm-up ${r.warmUpS?.toFixed(0) ?? '?'} s`,
          ),
        ],
      };
    },
  };
}

/**
 * From the load's timeline: seconds from the member's restart (the fault's revert) to the first
 * second without errors, and to the first second whose p95 is back within 1.5 × the median p95 of
 * the 10 s before the crash (the warm-up: a restarted Node process runs cold at first).
 */
function recoveryOf(
  fault: FaultRun,
  load: LoadSummary | undefined,
): { member: string; rtoS: number | undefined; warmUpS: number | undefined; errorSeconds: number } {
  const member = fault.members.join(', ');
  const timeline = load?.timeline ?? [];
  if (!load || timeline.length === 0) return { member, rtoS: undefined, warmUpS: undefined, errorSeconds: 0 };
  const start = Date.parse(load.startedAt);
  const injected = (fault.injectedAt - start) / 1000;
  const restarted = (fault.revertedAt - start) / 1000;
  const before = timeline.filter((p) => p.second >= injected - 10 && p.second < injected && p.requests > 0);
  const baseline = median(before.map((p) => p.p95Ms)) ?? Infinity;
  const after = timeline.filter((p) => p.second >= Math.floor(restarted));
  const clean = after.find((p) => p.errors === 0 && p.requests > 0);
  const warm = after.find((p) => p.requests > 0 && p.errors === 0 && p.p95Ms <= baseline * 1.5);
  const errorSeconds = timeline.filter(
    (p) => p.second >= injected && p.second < restarted + 10 && p.errors > 0,
  ).length;
  return {
    member,
    rtoS: clean ? Math.max(0, clean.second - restarted) : undefined,
    warmUpS: warm ? Math.max(0, warm.second - restarted) : undefined,
    errorSeconds,
  };
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
