import { join } from 'node:path';
import { runE2e } from '@stackdrill/e2e';
import {
  PROFILES,
  prepareLoad,
  provisionCustomers,
  runNodeLoad,
  withDuration,
  type LoadSummary,
  withTimedMarks,
  type TimedMark,
  type TimelineMark,
} from '@stackdrill/loadtests';
import {
  BACKUP_POLICIES,
  DRILL_TARGETS,
  INSTANCES,
  openProvider,
  REPO_ROOT,
  RESTORE_PROCEDURE,
  seedStack,
  type Provider,
} from '@stackdrill/stack';
import { sleep } from '@stackdrill/chaos';
import { errorMessage } from '@stackdrill/toolkit';
import { BackupSet, type BackupManifest } from '../backup/backup-set.ts';
import { checksumsOf } from '../backup/mongo-backup.ts';
import { replayOutboxes, restoreMongo } from '../backup/mongo-restore.ts';
import { canaryFigures, type CanaryFigures } from '../canary/canary-figures.ts';
import { CanaryWriter, type CanaryStore, type CanaryWrite } from '../canary/canary.ts';
import { MongoCanary } from '../canary/mongo-canary.ts';
import { canaryProduct, OrderCanary } from '../canary/order-canary.ts';
import { RedisCanary } from '../canary/redis-canary.ts';
import type { Check, DrillContext, ScenarioDrill, ScenarioOutcome } from '../drill.ts';
import { checkInvariants } from '../invariants/business-invariants.ts';
import { abbreviate } from './judging.ts';

const TARGET = DRILL_TARGETS['backup-restore'];
/** The stacks here are LOCAL: the architecture's schedule with hours made seconds. */
const POLICY = BACKUP_POLICIES.LOCAL;
const WARMUP_S = 5;
/** Each load window on the restored region that must meet the SLOs. */
const GREEN_WINDOW_S = 15;

export interface BackupRestoreOptions {
  /** Run the UI smoke suite against the restored region (default: yes). */
  smoke?: boolean;
  /** Keep the restored region running afterwards, to look at it (default: it is removed). */
  keepRegion?: boolean;
  /** Where the backups go (default: reports/backups/<instance>-<run>/). */
  backupDir?: string;
}

/**
 * Backups on the architecture's schedule under load (a full one, then incrementals: MongoDB in
 * mongodump's layout, Redis's RDB), then the whole instance is lost at once (every member
 * SIGKILLed: a region gone), and the backups are restored into a fresh instance, the source's DR
 * region, with nothing but the backup files and the source's secrets. Verified there: every
 * collection's checksum, the canaries' acknowledged writes up to the backup, the shop's
 * invariants, the SLOs under load, the UI smoke suite. RTO: from the loss to the restored region
 * serving within its SLOs; RPO: from the newest acknowledged write recovered to the loss. Then the
 * source comes back and the restored region goes.
 */
export function backupRestore(options: BackupRestoreOptions = {}): ScenarioDrill {
  return {
    name: 'backup-restore',
    title: 'Backups, the loss of the instance, and a restore into a second region',
    description: `Under load, a full backup and ${TARGET.incrementals} incrementals ${POLICY.incrementalEveryS} s apart (MongoDB in mongodump's layout, Redis's RDB), then every member of the instance is SIGKILLed at once and the backups are restored into a fresh instance (its DR region). Checks there: collection checksums, no acknowledged write from before the backup missing, the shop's invariants, the SLOs under load, the UI smoke suite; RTO ≤ ${TARGET.rtoS / 60} min, RPO ≤ the incremental interval. Then the source starts again.`,
    async unavailable(provider) {
      if (!INSTANCES[provider.instance].drRegion)
        return `the ${provider.instance} instance names no DR region to restore into (drRegion in INSTANCES, stack/facts/src/topology.ts)`;
      return undefined;
    },
    scenario: (ctx, { signal }) => runBackupRestore(ctx, options, signal),
  };
}

async function runBackupRestore(
  ctx: DrillContext,
  options: BackupRestoreOptions,
  signal: AbortSignal | undefined,
): Promise<ScenarioOutcome> {
  const source = ctx.provider;
  const region = await openProvider(INSTANCES[source.instance].drRegion!, source.name);
  const backups = new BackupSet(
    options.backupDir ?? join(REPO_ROOT, 'reports', 'backups', `${source.instance}-${ctx.run}`),
    source,
  );
  const marks: TimedMark[] = [];
  const mark = (kind: TimelineMark['kind'], label: string) => {
    marks.push({ at: Date.now(), kind, label });
    ctx.note(label);
  };
  const checks: Check[] = [];
  const notes: string[] = [];
  let faultAt: number | undefined;
  let load: LoadSummary | undefined;
  let writers: CanaryWriter[] = [];
  try {
    // 1. Load and canaries on the source; backups on the schedule.
    const { adminToken } = await seedStack(source);
    const orders = new OrderCanary(source, await canaryProduct(source, adminToken, 2000));
    const orderWriter = new CanaryWriter(orders, { intervalMs: 500 });
    const stopLoad = new AbortController();
    const stop = () => stopLoad.abort();
    signal?.addEventListener('abort', stop, { once: true });
    const loadRun = startLoad(source, ctx, stopLoad.signal);
    writers = [
      new CanaryWriter(new MongoCanary(source.endpoints('host').mongo, ctx.run)),
      new CanaryWriter(new RedisCanary(source.endpoints('host').redis, ctx.run)),
      orderWriter,
    ];
    let stoppingWriters: Promise<unknown> | undefined;
    try {
      for (const writer of writers) await writer.start();
      await sleep(WARMUP_S, signal);
      for (let i = 0; i <= TARGET.incrementals && !signal?.aborted; i++) {
        const began = Date.now();
        const backup = await backups.take(i === 0 ? 'full' : 'incremental');
        mark('note', describeBackup(backup));
        // The next backup an interval after this one began; the loss half an interval after the last.
        const interval = POLICY.incrementalEveryS * 1000 * (i === TARGET.incrementals ? 0.5 : 1);
        await sleep((interval - (Date.now() - began)) / 1000, signal);
      }
      if (signal?.aborted) return interrupted(checks, notes, writers, await stopAnd(loadRun, stopLoad));
      // 2. The loss: every member at once, as a region goes.
      faultAt = Date.now();
      mark('fault', `the ${source.instance} instance is lost: every member SIGKILLed`);
      await destroy(source);
      // Writes in flight run into their timeouts while the restore goes on.
      stoppingWriters = Promise.all(writers.map((w) => w.stop()));
    } finally {
      stoppingWriters ??= Promise.all(writers.map((w) => w.stop()));
      stopLoad.abort();
      signal?.removeEventListener('abort', stop);
    }
    load = stoppedWithMarks(await loadRun.catch(() => undefined), marks);
    if (signal?.aborted) return interrupted(checks, notes, writers, load);

    // 3. The restore into the DR region, from the backup files alone.
    const latest = backups.latest()!;
    ctx.note(
      `restoring ${backups.mongoChain().length} MongoDB backup(s) and the newest Redis RDB into ${region.instance}`,
    );
    await region.up({
      fresh: true,
      dataOnly: true,
      restore: { redisRdb: backups.redisRdb()!, ...secretsOf(source) },
      ...(signal ? { signal } : {}),
    });
    const since = (at: number) => `${((at - faultAt!) / 1000).toFixed(1)} s`;
    const phases = [`its data tier up at ${since(Date.now())}`];
    const uri = region.endpoints('host').mongo.uri;
    const restored = await restoreMongo(uri, backups.mongoChain(), ctx.note);
    notes.push(
      `MongoDB restored: ${restored.inserted} documents from the full backup, ${restored.replaced} replaced or added and ${restored.deleted} deleted by the incrementals, ${restored.collections} collections with their indexes`,
    );
    checks.push(await checksumCheck(uri, latest));
    const replayed = await replayOutboxes(
      uri,
      new Date(Date.parse(latest.startedAt) - RESTORE_PROCEDURE.outboxReplayS * 1000),
    );
    notes.push(`${replayed} outbox(es) sent before the backup published again (Kafka is not backed up)`);
    phases.push(`MongoDB restored, verified and its outboxes marked at ${since(Date.now())}`);
    await region.up(signal ? { signal } : {});
    phases.push(`the app up at ${since(Date.now())}`);
    ctx.note(`the ${region.instance} region is up; its load must meet the SLOs`);

    // 4. SLOs green on the region: the RTO.
    const green = await untilWithinSlos(region, ctx, faultAt + TARGET.rtoS * 1000, signal);
    const rtoS = green.from === undefined ? undefined : (green.from - faultAt) / 1000;
    if (green.from !== undefined) phases.push(`its load within the SLOs from ${since(green.from)}`);
    notes.push(`the restore, from the loss: ${phases.join(', ')}`);
    checks.push({
      name: `RTO ≤ ${TARGET.rtoS / 60} min (the restored region serves within its SLOs)`,
      ok: rtoS !== undefined && rtoS <= TARGET.rtoS,
      detail:
        rtoS === undefined
          ? `no ${GREEN_WINDOW_S} s window of load met the SLOs within ${TARGET.rtoS} s of the loss: ${green.broken}`
          : `${rtoS.toFixed(1)} s from the loss to the first ${GREEN_WINDOW_S} s window within the SLOs`,
    });

    // 5. What the restored region holds: canaries, invariants, the UI.
    await stoppingWriters;
    const canaries = await readCanaries(region, ctx.run, writers, latest, faultAt);
    const rpoS = canaries.rpoMs === undefined ? undefined : canaries.rpoMs / 1000;
    checks.push(...canaries.checks, {
      name: `RPO ≤ ${POLICY.incrementalEveryS} s (the incremental interval)`,
      ok: rpoS !== undefined && rpoS <= POLICY.incrementalEveryS,
      detail:
        rpoS === undefined
          ? 'no acknowledged canary write was recovered'
          : `${rpoS.toFixed(1)} s from the newest acknowledged write recovered to the loss`,
    });
    // The invariants on what was paid up to the backup, and on the orders the canary was promised.
    const promised = new Set(promisedBefore(orderWriter.writes(), latest).map((w) => w.seq));
    const restoredOrders = orders.seenThrough(region);
    await restoredOrders.open(); // signs in there: an order it cannot see must be a 404, not a 401
    checks.push(
      ...(await checkInvariants(region, {
        since: new Date(Date.parse(load?.startedAt ?? latest.startedAt)),
        paidOrders: orders.orders.filter((o) => o.paid && promised.has(o.seq)).map((o) => o.orderId),
        acceptedMissing: (await restoredOrders.missingAccepted()).filter((id) =>
          orders.orders.some((o) => o.orderId === id && promised.has(o.seq)),
        ),
      })),
    );
    if (options.smoke ?? true) checks.push(await smokeCheck(region));
    return {
      checks,
      rtoS,
      rpoS,
      notes,
      canaries: canaries.figures,
      writes: Object.fromEntries(writers.map((w) => [w.store.datastore, w.writes()])),
      load,
      interrupted: signal?.aborted ?? false,
    };
  } finally {
    for (const writer of writers) await writer.store.close().catch(() => {});
    await failBack(source, region, options.keepRegion ?? false, ctx);
  }
}

/** The background load on the source, bounded by the schedule (and stopped at the loss). */
function startLoad(source: Provider, ctx: DrillContext, signal: AbortSignal): Promise<LoadSummary> {
  const seconds = WARMUP_S + (TARGET.incrementals + 1) * POLICY.incrementalEveryS + 120;
  const profile = { ...PROFILES.smoke, scenario: withDuration(PROFILES.smoke.scenario, seconds) };
  return (async () => {
    const prepared = await prepareLoad(source.endpoints('host').app.gateway, profile, ctx.note);
    const customers = await provisionCustomers(prepared, 5, ctx.note);
    return runNodeLoad(prepared, { profileName: 'smoke', profile, customers, workers: 1, signal });
  })();
}

/** Every member of every component SIGKILLed at once. */
async function destroy(provider: Provider): Promise<void> {
  await Promise.all(
    provider.handles().flatMap((handle) => handle.memberNames().map((member) => handle.kill(member))),
  );
}

/** The source's secrets, as a vault hands them to the DR region: its sessions stay valid. */
function secretsOf(source: Provider): { appSecrets?: NonNullable<ReturnType<Provider['appSecrets']>> } {
  const secrets = source.appSecrets();
  return secrets ? { appSecrets: secrets } : {};
}

function describeBackup(backup: BackupManifest): string {
  const collections = Object.values(backup.mongo.collections);
  const written = collections.reduce((n, c) => n + c.written, 0);
  const deleted = collections.reduce((n, c) => n + c.deleted, 0);
  const took = ((Date.parse(backup.finishedAt) - Date.parse(backup.startedAt)) / 1000).toFixed(1);
  return `${backup.kind} backup ${backup.name}: ${written} MongoDB documents written${deleted ? `, ${deleted} deletions` : ''}, Redis RDB ${(backup.redis.bytes / 1024).toFixed(0)} KiB, ${took} s`;
}

/** Every collection of the newest backup, with the same checksum in the restored region. */
async function checksumCheck(uri: string, latest: BackupManifest): Promise<Check> {
  const expected = latest.mongo.collections;
  const found = await checksumsOf(uri, Object.keys(expected));
  const differ = Object.keys(expected).filter((ns) => found[ns] !== expected[ns]!.checksum);
  const documents = Object.values(expected).reduce((n, c) => n + c.count, 0);
  return {
    name: 'every restored collection matches its backup checksum',
    ok: differ.length === 0,
    detail: differ.length
      ? `${differ.length} of ${Object.keys(expected).length} collections differ: ${differ.slice(0, 6).join(', ')}`
      : `${Object.keys(expected).length} collections, ${documents} documents, byte for byte`,
  };
}

/**
 * Load windows on the restored region until one meets the SLOs, or `deadline`. The first window
 * starts once its app answers; a window that does not pass (cold start) is followed by another.
 */
async function untilWithinSlos(
  region: Provider,
  ctx: DrillContext,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<{ from: number | undefined; broken: string }> {
  const profile = { ...PROFILES.smoke, scenario: withDuration(PROFILES.smoke.scenario, GREEN_WINDOW_S) };
  const prepared = await prepareLoad(region.endpoints('host').app.gateway, profile, ctx.note);
  const customers = await provisionCustomers(prepared, 5, ctx.note);
  let broken = 'no window ran';
  while (Date.now() < deadline && !signal?.aborted) {
    const from = Date.now();
    const summary = await runNodeLoad(prepared, {
      profileName: 'smoke',
      profile,
      customers,
      workers: 1,
      ...(signal ? { signal } : {}),
    });
    if (summary.passed) return { from, broken: '' };
    broken = summary.verdicts.flatMap((v) => v.broken.map((b) => `${v.subject}: ${b}`)).join('; ');
    ctx.note(`the restored region's load missed the SLOs (${broken}); another window`);
  }
  return { from: undefined, broken };
}

/**
 * Reads each canary's records back from the restored region. Lost: acknowledged before the last
 * backup began, and not there (a backup that misses what it promised). RPO: from the newest
 * acknowledged write the region holds to the loss, the worst datastore's (undefined: none held).
 */
async function readCanaries(
  region: Provider,
  run: string,
  writers: CanaryWriter[],
  latest: BackupManifest,
  faultAt: number,
): Promise<{ figures: CanaryFigures[]; checks: Check[]; rpoMs: number | undefined }> {
  const stores: Record<string, CanaryStore> = {
    mongo: new MongoCanary(region.endpoints('host').mongo, run),
    redis: new RedisCanary(region.endpoints('host').redis, run),
    orders: (writers.find((w) => w.store instanceof OrderCanary)!.store as OrderCanary).seenThrough(region),
  };
  const figures: CanaryFigures[] = [];
  const checks: Check[] = [];
  let rpoMs: number | undefined;
  for (const writer of writers) {
    const store = stores[writer.store.datastore]!;
    await store.open();
    try {
      const stored = await store.stored();
      const promised = promisedBefore(writer.writes(), latest);
      figures.push(
        canaryFigures(promised, stored, { datastore: store.datastore, where: store.where }, { faultAt }),
      );
      const held = new Set(stored);
      const newest = Math.max(
        ...writer.writes().flatMap((w) => (w.ackedAt !== undefined && held.has(w.seq) ? [w.ackedAt] : [])),
      );
      rpoMs = Math.max(rpoMs ?? 0, faultAt - newest);
      const missing = promised.filter((w) => !held.has(w.seq)).map((w) => w.seq);
      const after = writer.writes().filter((w) => w.ackedAt !== undefined && !promised.includes(w));
      checks.push({
        name: `every ${store.datastore} canary write acknowledged before the last backup is restored`,
        ok: missing.length === 0 && promised.length > 0,
        detail: missing.length
          ? `${missing.length} of ${promised.length} missing (seq ${abbreviate(missing)})`
          : `${promised.length} of ${promised.length} there; ${after.filter((w) => held.has(w.seq)).length} of the ${after.length} acknowledged after it began too (the rest is the RPO's window)`,
      });
    } finally {
      await store.close();
    }
  }
  return { figures, checks, rpoMs: rpoMs === -Infinity || !Number.isFinite(rpoMs) ? undefined : rpoMs };
}

/** The writes acknowledged before the backup began: what it promised to hold. */
function promisedBefore(writes: readonly CanaryWrite[], backup: BackupManifest): CanaryWrite[] {
  const point = Date.parse(backup.startedAt);
  return writes.filter((w) => w.ackedAt !== undefined && w.ackedAt < point);
}

async function smokeCheck(region: Provider): Promise<Check> {
  // Its web UI, where its provider serves it (the gateway natively, nginx on containers).
  const url = region.endpoints('host').app.ui;
  try {
    const result = await runE2e(['--instance', region.instance]);
    return {
      name: 'the UI smoke suite passes against the restored region',
      ok: result.exitCode === 0 && result.failed === 0 && result.passed > 0,
      detail: `${result.passed} passed, ${result.failed} failed at ${url} (reports/e2e/)`,
    };
  } catch (error) {
    return {
      name: 'the UI smoke suite passes against the restored region',
      ok: false,
      detail: errorMessage(error),
    };
  }
}

/**
 * Always: the source starts again from its own data (the region "comes back"), and the restored
 * region is stopped and removed unless it is kept to look at.
 */
async function failBack(
  source: Provider,
  region: Provider,
  keepRegion: boolean,
  ctx: DrillContext,
): Promise<void> {
  if (!keepRegion) {
    await region
      .down()
      .catch((error: unknown) => ctx.note(`stopping ${region.instance}: ${errorMessage(error)}`));
    await region
      .purge()
      .catch((error: unknown) => ctx.note(`removing ${region.instance}: ${errorMessage(error)}`));
  } else
    ctx.note(
      `the restored region is kept: \`pnpm stack:status --instance ${region.instance}\`, \`pnpm stack:down --instance ${region.instance} --purge\` removes it`,
    );
  ctx.note(`starting the ${source.instance} instance again`);
  await source.up({});
  // The canaries could not remove their records from a lost instance: they do it now it is back.
  for (const store of [
    new MongoCanary(source.endpoints('host').mongo, ctx.run),
    new RedisCanary(source.endpoints('host').redis, ctx.run),
  ]) {
    await store.open();
    await store.close();
  }
}

/** The source's load (stopped on purpose at the loss, not interrupted) with the scenario's marks. */
function stoppedWithMarks(summary: LoadSummary | undefined, marks: TimedMark[]): LoadSummary | undefined {
  if (!summary) return undefined;
  const { interrupted: _, ...rest } = summary;
  return withTimedMarks(rest, marks);
}

function interrupted(
  checks: Check[],
  notes: string[],
  writers: CanaryWriter[],
  load: LoadSummary | undefined,
): ScenarioOutcome {
  return {
    checks,
    notes,
    rtoS: undefined,
    rpoS: undefined,
    canaries: [],
    writes: Object.fromEntries(writers.map((w) => [w.store.datastore, w.writes() as readonly CanaryWrite[]])),
    load,
    interrupted: true,
  };
}

async function stopAnd(
  loadRun: Promise<LoadSummary>,
  stop: AbortController,
): Promise<LoadSummary | undefined> {
  stop.abort();
  return loadRun.catch(() => undefined);
}
