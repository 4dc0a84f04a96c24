import { randomBytes } from 'node:crypto';
import { runExperiment, type ExperimentEvent, type ExperimentResult } from '@stackdrill/chaos';
import type { LoadSummary, TimelineMark } from '@stackdrill/loadtests';
import type { Provider } from '@stackdrill/stack';
import { errorMessage, StackError } from '@stackdrill/toolkit';
import { canaryFigures, type CanaryFigures } from './canary/canary-figures.ts';
import { CanaryWriter, type CanaryStore, type CanaryWrite } from './canary/canary.ts';
import { KafkaCanary } from './canary/kafka-canary.ts';
import { MongoCanary } from './canary/mongo-canary.ts';
import { RedisCanary } from './canary/redis-canary.ts';
import type { Check, Datastore, Drill, DrillContext } from './drill.ts';

export type DrillStatus = 'passed' | 'failed' | 'unavailable' | 'interrupted';

export interface DrillResult {
  drill: string;
  title: string;
  instance: string;
  provider: string;
  startedAt: string;
  status: DrillStatus;
  /** Why it could not run here (status `unavailable`). */
  reason?: string;
  rtoS: number | undefined;
  rpoS: number | undefined;
  canaries: CanaryFigures[];
  /** Every canary write (sent, acknowledged or why not), per canary, in ms since the epoch. */
  writes: Record<string, readonly CanaryWrite[]>;
  checks: Check[];
  notes: string[];
  /** The experiment underneath: its faults, recovery, and the load with every mark on its timeline. */
  experiment: ExperimentResult | undefined;
  /** A scenario drill's background load, its marks on the timeline (experiment drills: in `experiment`). */
  load?: LoadSummary;
}

export type DrillEvent =
  | { type: 'note'; line: string }
  | { type: 'canaries'; datastores: Datastore[] }
  | { type: 'experiment'; event: ExperimentEvent }
  | { type: 'check'; check: Check };

export interface RunDrillOptions {
  signal?: AbortSignal;
  onEvent?: (event: DrillEvent) => void;
}

/** How long the canaries write before the experiment starts: a baseline to compare the outage with. */
const CANARY_BASELINE_MS = 2000;

/**
 * Runs a drill: refuses an unhealthy stack (saying what is wrong), starts a canary writer per
 * datastore the drill names, runs its experiment (faults under background load, every fault
 * reverted whatever happens), stops the canaries, reads back what each datastore holds, and lets
 * the drill judge. The canaries' outages are marked on the load's timeline beside the faults.
 */
export async function runDrill(
  provider: Provider,
  drill: Drill,
  options: RunDrillOptions = {},
): Promise<DrillResult> {
  const emit = options.onEvent ?? (() => {});
  const startedAt = new Date().toISOString();
  const base = {
    drill: drill.name,
    title: drill.title,
    instance: provider.instance,
    provider: provider.name,
    startedAt,
  };
  const reason = await drill.unavailable?.(provider);
  if (reason)
    return {
      ...base,
      status: 'unavailable',
      reason,
      rtoS: undefined,
      rpoS: undefined,
      canaries: [],
      writes: {},
      checks: [],
      notes: [],
      experiment: undefined,
    };
  await requireHealthy(provider, drill.name);

  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  if ('scenario' in drill) {
    const outcome = await drill.scenario(
      { provider, run, note: (line) => emit({ type: 'note', line }) },
      options.signal ? { signal: options.signal } : {},
    );
    for (const check of outcome.checks) emit({ type: 'check', check });
    return {
      ...base,
      status: outcome.interrupted ? 'interrupted' : outcome.checks.every((c) => c.ok) ? 'passed' : 'failed',
      rtoS: outcome.rtoS,
      rpoS: outcome.rpoS,
      canaries: outcome.canaries,
      writes: outcome.writes,
      checks: outcome.checks,
      notes: outcome.notes ?? [],
      experiment: undefined,
      ...(outcome.load ? { load: outcome.load } : {}),
    };
  }
  const stores = openStores(provider, drill.canaries, run);
  const ctx: DrillContext = {
    provider,
    run,
    note: (line) => emit({ type: 'note', line }),
    ...(stores.kafka ? { kafkaCanaryLeader: () => (stores.kafka as KafkaCanary).leaderAddress() } : {}),
  };
  const writers = drill.canaries.map((d) => new CanaryWriter(stores[d]!, drill.canaryOptions?.[d] ?? {}));
  try {
    await drill.prepare?.(ctx);
    for (const { store, options } of drill.extraCanaries?.() ?? [])
      writers.push(new CanaryWriter(store, options));
    for (const writer of writers) await writer.start();
    emit({ type: 'canaries', datastores: drill.canaries });
    await sleep(CANARY_BASELINE_MS);
    const experiment = await drill.experiment(ctx);
    const result = await runExperiment(provider, experiment, {
      ...(options.signal ? { signal: options.signal } : {}),
      onEvent: (event) => emit({ type: 'experiment', event }),
    });
    for (const writer of writers) await writer.stop();
    const faultAt = result.faults[0]?.injectedAt ?? Date.now();
    const canaries: CanaryFigures[] = [];
    for (const writer of writers) {
      const stored = await readBack(writer.store);
      canaries.push(
        canaryFigures(
          writer.writes(),
          stored,
          { datastore: writer.store.datastore, where: writer.store.where },
          {
            faultAt,
            ...drill.recoveredWhen?.[writer.store.datastore as Datastore],
          },
        ),
      );
    }
    const logs = Object.fromEntries(writers.map((w) => [w.store.datastore, w.writes()]));
    const verdict = await drill.judge(ctx, { experiment: result, canaries, logs, faultAt });
    const checks = [...experimentChecks(result), ...verdict.checks];
    for (const check of checks) emit({ type: 'check', check });
    if (result.load)
      result.load.marks = [...(result.load.marks ?? []), ...outageMarks(result, canaries)].sort(
        (a, b) => a.second - b.second,
      );
    const interrupted = result.status === 'interrupted';
    return {
      ...base,
      status: interrupted ? 'interrupted' : checks.every((c) => c.ok) ? 'passed' : 'failed',
      rtoS: verdict.rtoS,
      rpoS: verdict.rpoS,
      canaries,
      writes: logs,
      checks,
      notes: verdict.notes ?? [],
      experiment: result,
    };
  } finally {
    for (const writer of writers) await writer.stop().catch(() => {});
    for (const writer of writers) await writer.store.close().catch(() => {});
  }
}

/** A drill on a sick stack would measure the sickness: it refuses, naming what is wrong. */
async function requireHealthy(provider: Provider, drill: string): Promise<void> {
  const sick = (await provider.status()).filter((s) => !s.healthy);
  if (sick.length === 0) return;
  throw new StackError({
    component: 'drill',
    message: `drill "${drill}" will not start on the ${provider.instance} instance: it is not healthy (${sick
      .map((s) => `${s.component}: ${s.problems.join('; ') || 'unhealthy'}`)
      .join(' | ')})`,
    hint: `bring it back with \`pnpm stack:up --instance ${provider.instance}\` (it starts whatever is down) and \`pnpm chaos revert --instance ${provider.instance}\`, then run the drill again`,
  });
}

function openStores(
  provider: Provider,
  datastores: Datastore[],
  run: string,
): Partial<Record<Datastore, CanaryStore>> {
  const endpoints = provider.endpoints('host');
  const make: Record<Datastore, () => CanaryStore> = {
    redis: () => new RedisCanary(endpoints.redis, run),
    kafka: () => new KafkaCanary(endpoints.kafka, run),
    mongo: () => new MongoCanary(endpoints.mongo, run),
  };
  return Object.fromEntries(datastores.map((d) => [d, make[d]()]));
}

/** What the datastore holds, once it answers again (it may still be settling right after the recovery). */
async function readBack(store: CanaryStore): Promise<number[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await store.stored();
    } catch (error) {
      if (Date.now() > deadline)
        throw new StackError({
          component: store.datastore,
          message: `reading the drill's canary records back from ${store.where} failed for 60 s: ${errorMessage(error)}`,
          hint: '`pnpm stack:status` says what is down',
        });
      await sleep(1000);
    }
  }
}

/** The experiment's own verdicts: steady before (else nothing was injected), steady again after. */
function experimentChecks(result: ExperimentResult): Check[] {
  return [
    {
      name: 'steady before the fault',
      ok: result.steadyBefore.length > 0 && result.steadyBefore.every((o) => o.ok),
      detail: result.steadyBefore.map((o) => `${o.name}: ${o.detail}`).join('; ') || 'not checked',
    },
    {
      name: 'steady again after the fault',
      ok: result.status === 'completed',
      detail:
        result.recoveryS !== undefined
          ? `${result.recoveryS.toFixed(1)} s after the last revert (${result.steadyAfter.map((o) => o.detail).join('; ')})`
          : `${result.status}: ${result.abortReason ?? result.steadyAfter.map((o) => `${o.name}: ${o.detail}`).join('; ')}`,
    },
  ];
}

/** Each canary's outage as marks on the load's timeline, in seconds since the load started. */
function outageMarks(result: ExperimentResult, canaries: CanaryFigures[]): TimelineMark[] {
  if (!result.load) return [];
  const start = Date.parse(result.load.startedAt);
  const second = (at: number) => Math.max(0, (at - start) / 1000);
  return canaries.flatMap((c) =>
    c.outage
      ? [
          {
            second: second(c.outage.from),
            kind: 'note' as const,
            label: `${c.datastore} canary: writes failing`,
          },
          ...(c.outage.to !== undefined
            ? [
                {
                  second: second(c.outage.to),
                  kind: 'recovered' as const,
                  label: `${c.datastore} canary: writes back`,
                },
              ]
            : []),
        ]
      : [],
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
