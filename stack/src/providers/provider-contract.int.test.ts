import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComponentHandle, Member } from '../components/handle.ts';
import { withKafkaAdmin } from '../components/kafka/kafka-probe.ts';
import { isPortFree } from '../process/ports.ts';
import {
  instancePorts,
  resolveInstance,
  DATA_TIER,
  FAULT_PROXY,
  INSTANCES,
  KAFKA_TOPICS,
  SERVICE_NAMES,
  type InstanceName,
} from '@stackdrill/facts';
import type { Provider, ProviderName, UpEvent } from './provider.ts';
import { openProvider, recordedProvider } from './registry.ts';
import { testInstance } from '../testing/test-instance.ts';

/**
 * What every provider promises, through the Provider interface alone. Against the suite's instance
 * (`test` on the native provider; `test-containers` on the containers provider in `pnpm test`'s
 * containers leg), which every test leaves healthy; up-from-nothing and down on `bench`, on the
 * same provider.
 */
const INSTANCE = testInstance();
const PROVIDER: ProviderName = recordedProvider(INSTANCE);

/** Polls `check` until it holds (at most `ms`); the last answer is in the failure. */
async function eventually<T>(what: string, check: () => Promise<T>, holds: (v: T) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check().catch(() => undefined);
    if (last !== undefined && holds(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not happen within ${ms} ms; last seen: ${JSON.stringify(last)}`);
}

const roleOf = async (handle: ComponentHandle, member: string) =>
  (await handle.members()).find((m) => m.name === member)?.role;

describe(`the ${PROVIDER} provider keeps the provider contract`, () => {
  let provider: Provider;
  const healthy = async (handle: ComponentHandle) =>
    eventually(
      `${handle.name} healthy again`,
      () => handle.status(),
      (s) => s.healthy,
      90_000,
    );

  beforeAll(async () => {
    provider = await openProvider(INSTANCE, PROVIDER);
  });

  it('when up runs on a running instance, then every component reports it was already up, as events', async () => {
    const events: UpEvent[] = [];
    const result = await provider.up({}, (e) => events.push(e));
    expect(result.alreadyUp).toBe(true);
    const ready = events.flatMap((e) => (e.type === 'ready' ? [`${e.component}: ${e.outcome}`] : []));
    expect(ready.sort()).toEqual(['app', 'kafka', 'mongo', 'redis'].map((c) => `${c}: already-running`));
  });

  it('when the members are asked for by role, then each protocol names one leader and the rest', async () => {
    const count = async (component: Parameters<Provider['handle']>[0], role: Member['role']) =>
      (await provider.handle(component).members({ role })).length;
    expect(await count('mongo', 'primary')).toBe(1);
    expect([
      await count('redis', 'master'),
      await count('redis', 'replica'),
      await count('redis', 'sentinel'),
    ]).toEqual([1, 2, 3]);
    expect([await count('app', 'gateway'), await count('app', 'service')]).toEqual([1, SERVICE_NAMES.length]);
    expect(await count('kafka', 'controller-leader'), 'the KRaft quorum leader').toBe(1);
    const kafka = provider.handle('kafka');
    for (const topic of KAFKA_TOPICS) {
      const leaders = await kafka.members({ leaderOf: { topic, partition: 0 } });
      expect(leaders, `the leader of ${topic}/0`).toHaveLength(1);
      expect(kafka.memberNames()).toContain(leaders[0]!.name);
    }
  });

  it('when clients connect through the endpoints, then every component answers them', async () => {
    const { mongo, redis, kafka, app } = provider.endpoints('host');
    const client = await MongoClient.connect(mongo.uri, { serverSelectionTimeoutMS: 10_000 });
    try {
      expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
    } finally {
      await client.close();
    }
    const sentinel = new Redis({
      sentinels: redis.sentinels,
      name: redis.masterName,
      lazyConnect: true,
      // Where Sentinel names the master otherwise than this machine reaches it (containers).
      ...(redis.natMap ? { natMap: redis.natMap } : {}),
    });
    try {
      await sentinel.connect();
      expect(await sentinel.ping()).toBe('PONG');
    } finally {
      sentinel.disconnect();
    }
    const topics = await withKafkaAdmin(kafka.brokers, (admin) => admin.listTopics());
    expect(topics).toEqual(expect.arrayContaining([...KAFKA_TOPICS]));
    expect((await fetch(`${app.gateway}/health`)).status).toBe(200);
    // From inside the stack the names may differ (containers, pods); the shape may not.
    expect(Object.keys(provider.endpoints('stack')).sort()).toEqual(['app', 'kafka', 'mongo', 'redis']);
  });

  it('when a Redis replica is killed, then its protocol reports it down, and a restart brings it back in sync', async () => {
    const redis = provider.handle('redis');
    const [replica] = await redis.members({ role: 'replica' });
    await redis.kill(replica!.name);
    await eventually(
      'the replica reported down',
      () => roleOf(redis, replica!.name),
      (r) => r === 'down',
    );
    await redis.restart(replica!.name);
    await healthy(redis);
    expect(await roleOf(redis, replica!.name)).toBe('replica');
  });

  // One recovery for both (a broker rejoining the ISR takes seconds): the pause first, then the kill.
  it('when a Kafka broker is paused and resumed, and then the controller leading a partition is killed, then the pause is reported, other brokers lead the partition and the quorum, and a restart brings the cluster back to full ISR', async () => {
    const kafka = provider.handle('kafka');
    const [controller] = await kafka.members({ role: 'controller-leader' });
    // A partition the active controller also leads, so one kill moves both leaderships.
    const partitions = KAFKA_TOPICS.flatMap((topic) =>
      Array.from({ length: DATA_TIER.kafka.partitionsPerTopic }, (_, partition) => ({ topic, partition })),
    );
    let partition = partitions[0]!;
    for (const p of partitions) {
      const [leader] = await kafka.members({ leaderOf: p });
      if (leader?.name === controller!.name) {
        partition = p;
        break;
      }
    }
    const [leader] = await kafka.members({ leaderOf: partition });
    const other = kafka.memberNames().find((m) => m !== leader!.name)!;
    await kafka.pause(other);
    try {
      expect(await roleOf(kafka, other)).toBe('paused');
    } finally {
      await kafka.resume(other);
    }
    expect(await roleOf(kafka, other)).not.toBe('paused');
    await kafka.kill(leader!.name);
    const [next] = await eventually(
      'another leader',
      () => kafka.members({ leaderOf: partition }),
      (m) => m.length === 1 && m[0]!.name !== leader!.name,
    );
    expect(kafka.memberNames()).toContain(next!.name);
    if (leader!.name === controller!.name) {
      await eventually(
        'another quorum leader',
        () => kafka.members({ role: 'controller-leader' }),
        (m) => m.length === 1 && m[0]!.name !== controller!.name,
      );
    }
    await kafka.restart(leader!.name);
    await healthy(kafka);
  });

  it('when the Mongo primary is restarted, then a primary answers again and takes writes', async () => {
    const mongo = provider.handle('mongo');
    const [primary] = await mongo.members({ role: 'primary' });
    await mongo.restart(primary!.name);
    await healthy(mongo);
    const client = await MongoClient.connect(provider.endpoints().mongo.uri, {
      serverSelectionTimeoutMS: 20_000,
    });
    try {
      const inserted = await client.db('contract').collection('writes').insertOne({ at: new Date() });
      expect(inserted.acknowledged).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('when a service is restarted, then it is ready again and the gateway reaches it', async () => {
    const app = provider.handle('app');
    await app.restart('notification');
    await healthy(app);
    const answer = await fetch(`${provider.endpoints().app.gateway}/api/notifications`);
    expect(answer.status, 'the route answers (401: it wants a token)').toBe(401);
  });

  it('when the fault points are asked for, then every data-tier member has one, on a port no member of any instance uses', () => {
    const taken = new Set(
      (Object.keys(INSTANCES) as InstanceName[]).flatMap((i) =>
        instancePorts(resolveInstance(i))
          .filter((p) => p.member !== FAULT_PROXY.name)
          .map((p) => p.port),
      ),
    );
    for (const component of ['mongo', 'redis', 'kafka'] as const) {
      const handle = provider.handle(component);
      const points = handle.faultPoints();
      expect(points.map((p) => p.member)).toEqual(handle.memberNames());
      for (const p of points)
        expect(taken.has(p.listen.port), `${p.member} proxy :${p.listen.port}`).toBe(false);
    }
    expect(provider.handle('app').faultPoints()).toEqual([]);
  });

  it('when the fault proxy is asked for its proxies, then every fault point has one, enabled, forwarding to its member', async () => {
    const api = provider.faultProxyApi();
    expect(api, 'the test stack runs with its fault proxy').toBeDefined();
    const proxies = (await (await fetch(`${api}/proxies`)).json()) as Record<
      string,
      { listen: string; upstream: string; enabled: boolean }
    >;
    for (const component of ['mongo', 'redis', 'kafka'] as const) {
      for (const p of provider.handle(component).faultPoints()) {
        // It binds where its members bind (loopback, or every address of a container): the port is the point.
        expect(proxies[p.member], p.member).toMatchObject({
          listen: expect.stringMatching(new RegExp(`:${p.listen.port}$`)),
          upstream: `${p.upstream.host}:${p.upstream.port}`,
          enabled: true,
        });
      }
    }
  });
});

describe(`the ${PROVIDER} provider from nothing and back`, () => {
  const name = PROVIDER;
  let bench: Provider;

  afterAll(async () => {
    await bench?.down();
    await bench?.purge();
  });

  it('when an instance is brought up, then down and purged, then it ran, and nothing of it runs, listens or is left after', async () => {
    bench = await openProvider('bench', name);
    const result = await bench.up({ fresh: true, dataOnly: true });
    expect(result.alreadyUp).toBe(false);
    // Healthy as up left it, or within a few seconds: on 2 cores beside the suite's own stack a
    // partition's ISR can shrink for a moment right after start-up. Whatever is not is named.
    const unhealthy = async () =>
      (await bench.status({ dataOnly: true }))
        .filter((c) => !c.healthy)
        .map((c) =>
          [
            c.component,
            ...c.problems,
            ...c.members.filter((m) => !m.healthy).map((m) => `${m.member}: ${m.detail}`),
          ].join('; '),
        );
    let left = await unhealthy();
    for (const until = Date.now() + 10_000; left.length > 0 && Date.now() < until; left = await unhealthy())
      await new Promise((resolve) => setTimeout(resolve, 500));
    expect(left, 'components not healthy 10 s after up').toEqual([]);
    await bench.down();
    expect(await (await openProvider('bench', name)).isRunning()).toBe(false);
    const { host } = resolveInstance('bench');
    for (const { member, port } of instancePorts(resolveInstance('bench'))) {
      expect(await isPortFree(port, host), `${member}'s port ${port}`).toBe(true);
    }
    await bench.purge();
    expect(await bench.leftovers()).toEqual([]);
  });
});
