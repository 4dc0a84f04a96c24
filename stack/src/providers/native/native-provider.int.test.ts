import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentStatus } from '../../components/handle.ts';
import { sentinelMaster, withRedis } from '../../components/redis/redis-probe.ts';
import { runDoctor } from '../../doctor/doctor.ts';
import { processStartTicks, StackError } from '@stackdrill/toolkit';
import { REPO_ROOT } from '../../paths.ts';
import { resolveInstance } from '@stackdrill/facts';
import { NativeProvider } from './native-provider.ts';

// The `test` instance is brought up by stack/test/global-setup.ts through `stack:up --fresh`.
let provider: NativeProvider;

beforeAll(async () => {
  provider = await NativeProvider.open('test', await runDoctor({ install: false }));
});

function cli(command: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'run.mjs'), command, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sentinelClient(): Redis {
  const { redis } = provider.endpoints();
  const client = new Redis({ sentinels: redis.sentinels, name: redis.masterName, maxRetriesPerRequest: 20 });
  client.on('error', () => {}); // ioredis reports failover reconnects as errors; commands still retry
  return client;
}

describe('stack:status on a freshly started stack', () => {
  it('when it runs, then it exits 0 and every member has the role its protocol reports', () => {
    const { code, stdout } = cli('stack-status', '--instance', 'test', '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { healthy: boolean; components: ComponentStatus[] };
    expect(report.healthy).toBe(true);
    const byName = Object.fromEntries(report.components.map((c) => [c.component, c]));

    const mongo = byName.mongo!;
    const mongoRoles = mongo.members.map((m) => m.role).sort();
    if (mongo.flavor.startsWith('FerretDB')) expect(mongoRoles).toEqual(['primary']);
    else expect(mongoRoles).toEqual(['primary', 'secondary', 'secondary']);

    const redis = byName.redis!;
    expect(redis.members.filter((m) => m.role === 'master')).toHaveLength(1);
    expect(redis.members.filter((m) => m.role === 'replica')).toHaveLength(2);
    const sentinels = redis.members.filter((m) => m.role === 'sentinel');
    expect(sentinels).toHaveLength(3);
    const master = redis.members.find((m) => m.role === 'master')!;
    for (const s of sentinels) expect(s.detail).toContain(`master ${master.host}:${master.port}`);

    const kafka = byName.kafka!;
    expect(kafka.members.map((m) => m.role).sort()).toEqual(['broker', 'broker', 'controller-leader']);
    for (const topic of ['user-events', 'order-events', 'notification-events', 'analytics-events']) {
      expect(kafka.notes).toContain(`${topic}: 3 partitions, RF 3, ISR 3`);
    }
  });
});

describe('mongo', () => {
  it('when a document is written with w: majority, then it reads back', async () => {
    const client = new MongoClient(provider.endpoints().mongo.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      const orders = client.db('stackdrill_test').collection<{ _id: string; total: number }>('orders');
      const id = randomUUID();
      const result = await orders.insertOne({ _id: id, total: 42 }, { writeConcern: { w: 'majority' } });
      expect(result.acknowledged).toBe(true);
      expect(await orders.findOne({ _id: id })).toEqual({ _id: id, total: 42 });
    } finally {
      await client.close();
    }
  });
});

describe('kafka', () => {
  it('when a message is produced with acks=all, then a consumer reads it', async () => {
    const kafka = new Kafka({
      clientId: 'stackdrill-test',
      brokers: provider.endpoints().kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
    const marker = randomUUID();
    // JSON, like every message on these topics, so services' consumers reading them are not disturbed.
    const value = JSON.stringify({ probe: marker });
    try {
      await producer.connect();
      const [meta] = await producer.send({
        topic: 'user-events',
        acks: -1,
        messages: [{ key: marker, value }],
      });
      expect(meta?.errorCode).toBe(0);

      await consumer.connect();
      await consumer.subscribe({ topic: 'user-events', fromBeginning: true });
      const received = new Promise<string>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            if (message.value?.toString() === value) resolve(marker);
          },
        });
      });
      const timeout = sleep(60_000).then(() => 'timed out');
      expect(await Promise.race([received, timeout])).toBe(marker);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});

describe('redis through sentinel', () => {
  it('when a client connects through Sentinel, then its writes land on the master and replicate', async () => {
    const client = sentinelClient();
    try {
      const key = `test:${randomUUID()}`;
      await client.set(key, 'v1');
      const master = await sentinelMaster({ ...provider.resolved.redis, host: provider.resolved.host });
      const [host, port] = master!.split(':');
      const onMaster = await withRedis(host!, Number(port), async (r) => [
        await r.call('ROLE'),
        await r.get(key),
      ]);
      expect((onMaster[0] as string[])[0]).toBe('master');
      expect(onMaster[1]).toBe('v1');
      // Both replicas acknowledge the write.
      expect(await client.call('WAIT', '2', '5000')).toBe(2);
    } finally {
      client.disconnect();
    }
  });

  it('when the master is killed, then Sentinel promotes a replica, no write acknowledged before the kill is lost, and writes succeed again', async () => {
    const target = { ...provider.resolved.redis, host: provider.resolved.host };
    const oldMaster = await provider.redis.masterMember();
    const client = sentinelClient();
    // Every write the client saw acknowledged (key and when), and every one it saw fail (when, why).
    const acknowledged: { key: string; at: number }[] = [];
    const failures: { at: number; error: string }[] = [];
    let writing = true;
    // A bounded writer: one write every 50 ms while the test runs, at most 60 s.
    const writer = (async () => {
      const until = Date.now() + 60_000;
      for (let n = 0; writing && Date.now() < until; n++) {
        const key = `failover:${randomUUID()}`;
        try {
          await client.set(key, String(n));
          acknowledged.push({ key, at: Date.now() });
        } catch (error) {
          failures.push({ at: Date.now(), error: (error as Error).message });
        }
        await sleep(50);
      }
    })();
    try {
      await sleep(1500);
      const killedAt = Date.now();
      await provider.redis.kill(oldMaster);

      let promoted: string | undefined;
      while (Date.now() - killedAt < 30_000) {
        const named = await sentinelMaster(target);
        const oldPort = provider.resolved.redis.dataNodes.find((n) => n.name === oldMaster)!.port;
        if (named && !named.endsWith(`:${oldPort}`)) {
          promoted = named;
          break;
        }
        await sleep(200);
      }
      expect(promoted, 'sentinels promoted a replica within 30 s').toBeDefined();
      const promotedAt = Date.now();
      const failoverS = (promotedAt - killedAt) / 1000;

      // Writes succeed again on the new master: 20 in a row acknowledged after the promotion.
      const deadline = Date.now() + 30_000;
      while (acknowledged.filter((w) => w.at > promotedAt).length < 20 && Date.now() < deadline)
        await sleep(100);
      const settledAt = acknowledged.filter((w) => w.at > promotedAt)[0]?.at ?? Infinity;
      expect(acknowledged.filter((w) => w.at > promotedAt).length).toBeGreaterThanOrEqual(20);
      // A write may fail only while there is no master that can take it, never before the kill
      // nor once writes go through again.
      const outside = failures.filter((f) => f.at < killedAt || f.at > settledAt);
      expect(outside, 'writes that failed outside the failover window').toEqual([]);

      // Replication is asynchronous, so only a write acknowledged in the last moment before the
      // kill may be gone; every write acknowledged a second or more before it must be on the new master.
      const [host, port] = promoted!.split(':');
      const present = await withRedis(host!, Number(port), async (r) =>
        acknowledged.length ? await r.mget(...acknowledged.map((w) => w.key)) : [],
      );
      const lost = acknowledged.filter((_, i) => present[i] === null);
      expect(
        lost.filter((w) => w.at < killedAt - 1000 || w.at > killedAt),
        'lost writes acknowledged over a second before the kill, or after it (by the new master)',
      ).toEqual([]);
      console.log(
        `redis failover: promoted ${promoted} ${failoverS.toFixed(1)} s after SIGKILL; ` +
          `${acknowledged.length} writes acknowledged, ${lost.length} of them lost (all within 1 s before the kill), ` +
          `${failures.length} refused during failover (${[...new Set(failures.map((f) => f.error))].join('; ') || 'none'})`,
      );
    } finally {
      writing = false;
      await writer;
      client.disconnect();
    }

    // The old master comes back as a replica of the new one, and the stack is healthy again.
    await provider.redis.restart(oldMaster);
    const deadline = Date.now() + 30_000;
    let status = await provider.redis.status();
    while (!status.healthy && Date.now() < deadline) {
      await sleep(300);
      status = await provider.redis.status();
    }
    expect(status.healthy).toBe(true);
    expect(status.members.find((m) => m.member === oldMaster)?.role).toBe('replica');
  });
});

describe('stack:up when a port is taken', () => {
  // Uses the `bench` instance so the test stack above is untouched.
  const bench = resolveInstance('bench');
  const taken = bench.redis.dataNodes[0]!;
  let squatter: Server;

  beforeAll(async () => {
    // Accept and drop: the bench replicas that start before the failure connect here.
    squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(taken.port, bench.host, resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => squatter.close(resolve));
    cli('stack-down', '--instance', 'bench', '--purge');
  });

  it('when a member port is in use, then up fails naming member and port, and leaves nothing running', async () => {
    const { code, stderr } = cli('stack-up', '--instance', 'bench', '--fresh');
    expect(code).toBe(1);
    expect(stderr).toContain(
      `${taken.name}: port ${bench.host}:${taken.port} is already in use by another process`,
    );
    expect(stderr).toContain('what to do:');
    expect(stderr).toContain('stopped what this run started');
    const benchProvider = await NativeProvider.open('bench');
    expect(await benchProvider.running()).toEqual([]);
  });
});

describe('stack:logs', () => {
  it('when asked for a member, then it prints the tail of that member log', () => {
    const { code, stdout } = cli('stack-logs', 'sentinel-0', '--instance', 'test', '--lines', '5');
    expect(code).toBe(0);
    expect(stdout).toContain(`==> ${provider.paths.log('sentinel-0')} <==`);
    expect(stdout.trim().split('\n').length).toBeGreaterThan(1);
  });
});

describe('stack:up interrupted with Ctrl-C', () => {
  afterAll(() => {
    cli('stack-down', '--instance', 'bench', '--purge');
  });

  it('when SIGINT arrives during start-up, then what that run started is stopped and it exits 130', async () => {
    // Its own process group, like a terminal's foreground job: Ctrl-C signals the whole group.
    const child = spawn(process.execPath, ['scripts/run.mjs', 'stack-up', '--instance', 'bench', '--fresh'], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!output.includes('starting 3 KRaft nodes') && Date.now() < deadline) await sleep(100);
    expect(output).toContain('starting 3 KRaft nodes');
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(130);
    expect(output).toContain('interrupted: stopping what this run started');
    const bench = await NativeProvider.open('bench');
    expect(await bench.running()).toEqual([]);
  });
});

describe('a damaged data directory', () => {
  afterAll(() => {
    cli('stack-down', '--instance', 'bench', '--purge');
  });

  it('when a member cannot read its data, then the error names it, shows its log and suggests --fresh', async () => {
    const bench = await NativeProvider.open('bench', await runDoctor({ install: false }));
    // A Redis AOF manifest that does not parse: redis-server refuses to start.
    const aofDir = join(bench.paths.member('redis-0'), 'appendonlydir');
    await mkdir(aofDir, { recursive: true });
    await writeFile(join(aofDir, 'appendonly.aof.manifest'), 'this is not a manifest\n');
    const t0 = Date.now();
    const error = await bench.redis.up(() => {}).catch((e: unknown) => e);
    await bench.stopStartedSince(t0);
    expect(error).toBeInstanceOf(StackError);
    const text = (error as StackError).describe();
    expect(text).toContain('redis-0: exited while waiting for redis-0 to answer PING');
    expect(text).toContain(`log: ${bench.paths.log('redis-0')}`);
    expect(text).toMatch(/\| .*manifest/i);
    expect(text).toContain('pnpm stack:up --fresh');
    expect(await bench.running()).toEqual([]);
  });
});

describe('stack:down', () => {
  // On the `bench` instance, so it can run in any order with the tests that use the `test` stack.
  afterAll(() => {
    cli('stack-down', '--instance', 'bench', '--purge');
  });

  it('when it runs, then no process of the stack is left alive', async () => {
    expect(cli('stack-up', '--instance', 'bench', '--fresh', '--data-only').code).toBe(0);
    const bench = await NativeProvider.open('bench');
    const records = bench.supervisor.records();
    expect(records.length).toBeGreaterThanOrEqual(10); // 12 with a real mongod replica set
    const { code, stdout } = cli('stack-down', '--instance', 'bench');
    expect(code).toBe(0);
    expect(stdout).toContain(`stopped ${records.length} members`);
    expect(stdout).toContain('none left running');
    // Its progress: a line per component as it stops (the app first, then the data tier).
    for (const component of ['app', 'mongo', 'redis', 'kafka'])
      expect(stdout).toMatch(new RegExp(`^  ${component}: stopped in \\d`, 'm'));
    for (const record of records) {
      const ticks = await processStartTicks(record.pid);
      expect(
        ticks === undefined || ticks !== record.startTicks,
        `${record.member} (pid ${record.pid}) is gone`,
      ).toBe(true);
    }
  });
});
