import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataTierMembersIn, openProvider, type Provider, type Zone, testInstance } from '@stackdrill/stack';
import { StackError } from '@stackdrill/toolkit';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revertLeftovers } from '@stackdrill/chaos';
import type { Drill } from './drill.ts';
import { backupRestore } from './drills/backup-restore.ts';
import { kafkaLeaderLoss } from './drills/kafka-leader-loss.ts';
import { mongoCrashRestart, mongoPrimaryFailover } from './drills/mongo.ts';
import { redisMasterFailover } from './drills/redis-master-failover.ts';
import { serviceCrash } from './drills/service-crash.ts';
import { zoneLoss } from './drills/zone-loss.ts';
import { runDrill, type DrillResult } from './run-drill.ts';

/**
 * The drills against the real `test` stack, through the provider only. Each passing drill is also
 * shown failing when its guarantee is broken on purpose: a canary that drops an acknowledged write,
 * and a consumer without its idempotency (the test instance's test-only switch).
 */
let provider: Provider;

beforeAll(async () => {
  provider = await openProvider(testInstance());
});

afterAll(async () => {
  await revertLeftovers(provider, { all: true });
});

const checkNamed = (result: DrillResult, pattern: RegExp) => {
  const check = result.checks.find((c) => pattern.test(c.name));
  expect(check, `a check named ${pattern}`).toBeDefined();
  return check!;
};

const failedChecks = (result: DrillResult) =>
  result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);

describe('datastore drills', () => {
  it('when the Redis master is killed, then Sentinel fails over within 5 s and a session made before survives', async () => {
    const result = await runDrill(provider, redisMasterFailover());
    expect(failedChecks(result)).toEqual([]);
    expect(result.status).toBe('passed');
    expect(result.rtoS).toBeGreaterThan(0); // writes did fail: the master was really gone
    expect(result.rtoS).toBeLessThanOrEqual(5);
    const [redis] = result.canaries;
    expect(redis!.acked).toBeGreaterThan(100);
    expect(result.notes.join('\n')).toMatch(/acknowledged writes lost in the failover: \d+ of \d+/);
    // The load's timeline carries the fault, its revert and the canary's outage.
    const labels = result.experiment!.load!.marks!.map((m) => m.label).join('\n');
    expect(labels).toMatch(/kill on redis-\d/);
    expect(labels).toContain('redis canary: writes failing');
  });

  it('when MongoDB (FerretDB) crashes and restarts, then no acknowledged write is lost; a canary that drops one makes the drill fail', async () => {
    const honest = await runDrill(provider, mongoCrashRestart());
    expect(failedChecks(honest)).toEqual([]);
    expect(honest.rtoS).toBeLessThanOrEqual(10);
    expect(honest.canaries[0]!.lost).toEqual([]);

    // The same drill with a canary that records write 40 as acknowledged but never sends it.
    const drill: Drill = { ...mongoCrashRestart(), canaryOptions: { mongo: { dropAcked: new Set([40]) } } };
    const broken = await runDrill(provider, drill);
    expect(broken.status).toBe('failed');
    expect(broken.canaries[0]!.lost).toEqual([40]);
    const loss = checkNamed(broken, /acknowledged mongo writes lost/);
    expect(loss.ok).toBe(false);
    expect(loss.detail).toContain('seq 40');
  });

  it('when the replica-set failover cannot run on FerretDB, then the drill says why instead of running', async () => {
    const result = await runDrill(provider, mongoPrimaryFailover());
    expect(result.status).toBe('unavailable');
    expect(result.reason).toMatch(/FerretDB has no replication.*mongo-crash-restart/);
  });

  it('when the leader of the canary partition is killed, then no acknowledged record is lost; with 2 of 3 brokers down producing fails, and it all recovers', async () => {
    const result = await runDrill(provider, kafkaLeaderLoss());
    expect(failedChecks(result)).toEqual([]);
    expect(result.canaries[0]!.lost).toEqual([]);
    expect(result.canaries[0]!.duplicated).toEqual([]);
    expect(checkNamed(result, /2 of 3 brokers down/).detail).toMatch(/^[1-9]\d* of the \d+ writes/);
  });
});

describe('the zone-loss drill', () => {
  it("when the Redis master's zone is lost, then Redis and Kafka recover in the other zones, and no acknowledged Kafka or MongoDB write is lost", async () => {
    const result = await runDrill(provider, zoneLoss());
    expect(failedChecks(result)).toEqual([]);
    // Every member this stack has in that zone went, at once (FerretDB's one member is in zone-a).
    const zone = /^zone (zone-[abc]) lost/.exec(result.notes[0]!)![1] as Zone;
    const present = provider.handles().flatMap((h) => h.memberNames());
    const members = result.experiment!.faults.flatMap((f) => f.members).sort();
    expect(members).toEqual(
      dataTierMembersIn(zone)
        .filter((m) => present.includes(m))
        .sort(),
    );
    expect(members.filter((m) => m.startsWith('kafka-'))).toHaveLength(1);
    expect(members.filter((m) => m.startsWith('sentinel-'))).toHaveLength(1);
    const starts = result.experiment!.faults.map((f) => f.injectedAt);
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(2000);
  });
});

describe('the service-crash drill', () => {
  it('when each service and the gateway are killed under load, then every invariant holds', async () => {
    const result = await runDrill(provider, serviceCrash());
    expect(failedChecks(result)).toEqual([]);
    expect(result.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'no accepted order lost',
        'every paid order has exactly one confirmation',
        'every paid order is counted once by analytics',
        'no stock oversold',
      ]),
    );
    expect(result.notes.join('\n')).toMatch(/saw [1-9]\d* paid/);
  });

  it('when the consumers are not idempotent (a test-only switch), then the crash makes duplicates and the drill fails', async () => {
    const { app } = provider.endpoints();
    const switchTo = async (dedupe: boolean) => {
      for (const service of ['notification', 'analytics']) {
        const response = await fetch(`${app.services[service]}/internal/faults`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-api-key': provider.appSecrets()!.internalApiKey },
          body: JSON.stringify({ idempotency: { dedupe } }),
        });
        expect(response.status, `${service}: ${await response.text()}`).toBe(200);
      }
    };
    await switchTo(false);
    try {
      // Their crash (and restart, with the switch off again) redelivers what they handled meanwhile.
      const result = await runDrill(provider, serviceCrash({ victims: ['notification', 'analytics'] }));
      expect(result.status).toBe('failed');
      expect(checkNamed(result, /exactly one confirmation/).ok).toBe(false);
      expect(checkNamed(result, /counted once by analytics/).ok).toBe(false);
    } finally {
      await switchTo(true).catch(() => {});
    }
  });
});

describe('the backup-restore drill', () => {
  it('when the instance is lost after its backups, then its DR region restored from them holds everything acknowledged before the last backup and serves within the SLOs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stackdrill-backups-'));
    try {
      const result = await runDrill(provider, backupRestore({ backupDir: dir }));
      expect(failedChecks(result)).toEqual([]);
      expect(result.status).toBe('passed');
      expect(result.rtoS).toBeGreaterThan(0);
      expect(result.rtoS).toBeLessThanOrEqual(300);
      expect(result.rpoS).toBeGreaterThan(0);
      expect(result.rpoS).toBeLessThanOrEqual(5);
      expect(result.checks.map((c) => c.name)).toEqual(
        expect.arrayContaining([
          'every restored collection matches its backup checksum',
          'every paid order is counted once by analytics',
          'the UI smoke suite passes against the restored region',
        ]),
      );
      // What was written: a full backup and incrementals, MongoDB in mongodump's layout, Redis's RDB.
      const full = JSON.parse(await readFile(join(dir, '00-full', 'backup.json'), 'utf8')) as {
        kind: string;
        mongo: { collections: Record<string, { count: number }> };
      };
      expect(full.kind).toBe('full');
      expect(full.mongo.collections['orders.order_status']!.count).toBeGreaterThan(0);
      await readFile(join(dir, '00-full', 'mongo', 'orders', 'order_status.metadata.json'), 'utf8');
      expect(
        (await readFile(join(dir, '00-full', 'mongo', 'orders', 'order_status.bson'))).length,
      ).toBeGreaterThan(0);
      const incremental = JSON.parse(await readFile(join(dir, '02-incremental', 'backup.json'), 'utf8')) as {
        kind: string;
        base: string;
      };
      expect(incremental).toMatchObject({ kind: 'incremental', base: '01-incremental' });
      const rdb = await readFile(join(dir, '02-incremental', 'redis', 'dump.rdb'));
      expect(rdb.subarray(0, 5).toString()).toBe('REDIS');
      // The timeline has the backups and the loss; the source is back, the region gone.
      const labels = result.load!.marks!.map((m) => m.label).join('\n');
      expect(labels).toMatch(/full backup 00-full/);
      expect(labels).toMatch(/the test instance is lost/);
      expect((await provider.status()).filter((c) => !c.healthy)).toEqual([]);
      expect(await (await openProvider('test-dr')).isRunning()).toBe(false);
      // The canaries' records, left on the lost instance, are removed once it is back.
      const mongo = result.canaries.find((c) => c.datastore === 'mongo')!.where.split('.');
      const client = new MongoClient(provider.endpoints('host').mongo.uri);
      try {
        const names = await client.db(mongo[0]).listCollections({}, { nameOnly: true }).toArray();
        expect(names.map((n) => n.name)).not.toContain(mongo[1]);
      } finally {
        await client.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

describe('guard rails', () => {
  it('when the stack is not healthy, then a drill refuses to begin and says why', async () => {
    const redis = provider.handle('redis');
    const [replica] = await redis.members({ role: 'replica' });
    await redis.kill(replica!.name);
    try {
      const refused = await runDrill(provider, redisMasterFailover()).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(StackError);
      expect((refused as Error).message).toMatch(
        /will not start on the test instance: it is not healthy \(redis: /,
      );
    } finally {
      await redis.restart(replica!.name);
    }
  });
});
