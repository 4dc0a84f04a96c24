import { rm } from 'node:fs/promises';
import { instancePaths, type InstancePaths } from '../../paths.ts';
import { StackError } from '../../errors.ts';
import type { ComponentHandle, ComponentName, ComponentStatus, Endpoints } from '../../components/handle.ts';
import { mongoUri } from '../../components/mongo/mongo-probe.ts';
import { StateStore } from '../../process/state-store.ts';
import { Supervisor } from '../../process/supervisor.ts';
import { resolveInstance, type ResolvedInstance } from '../../topology/instance.ts';
import type { InstanceName } from '../../topology/topology.ts';
import { NativeKafka } from './kafka-native.ts';
import { NativeMongo } from './mongo-native.ts';
import type { NativeComponent, NativeTools } from './native-component.ts';
import { NativeRedis } from './redis-native.ts';
import { NativeApp } from './app-native.ts';
import { residentBytes } from '../../process/proc.ts';

/** Tools for commands that only read or stop (status, down): nothing is started, so nothing is needed. */
const NO_TOOLS: NativeTools = {
  redisServer: 'redis-server',
  java: 'java',
  kafkaClasspath: '',
  ferretdb: 'ferretdb',
};

/**
 * The embedded default: every member a supervised process on this machine, on loopback. Holds the
 * component handles; knows nothing of CLI output.
 */
export class NativeProvider {
  readonly name = 'native';

  private constructor(
    readonly instance: ResolvedInstance,
    readonly paths: InstancePaths,
    readonly store: StateStore,
    readonly supervisor: Supervisor,
    readonly mongo: NativeMongo,
    readonly redis: NativeRedis,
    readonly kafka: NativeKafka,
    readonly app: NativeApp,
  ) {}

  static async open(instanceName: InstanceName, tools: NativeTools = NO_TOOLS): Promise<NativeProvider> {
    const instance = resolveInstance(instanceName);
    const paths = instancePaths(instanceName);
    const store = await StateStore.open(paths.stateFile, instanceName, 'native');
    const supervisor = new Supervisor(store);
    const ctx = { instance, paths, store, supervisor, tools };
    const provider: NativeProvider = new NativeProvider(
      instance,
      paths,
      store,
      supervisor,
      new NativeMongo(ctx),
      new NativeRedis(ctx),
      new NativeKafka(ctx),
      new NativeApp(ctx, () => provider.dataEndpoints()),
    );
    return provider;
  }

  /** Every component: the data tier first, then the app that needs it. */
  get components(): NativeComponent[] {
    return [...this.dataTier, this.app];
  }

  get dataTier(): NativeComponent[] {
    return [this.mongo, this.redis, this.kafka];
  }

  handle(name: ComponentName): ComponentHandle {
    return { mongo: this.mongo, redis: this.redis, kafka: this.kafka, app: this.app }[name];
  }

  endpoints(): Endpoints {
    const { host, app } = this.instance;
    const url = (port: number) => `http://${host}:${port}`;
    return {
      ...this.dataEndpoints(),
      app: {
        gateway: url(app.gateway.port),
        gatewayMetrics: url(app.gateway.metricsPort),
        services: Object.fromEntries(app.services.map((s) => [s.name, url(s.port)])),
        mailInbox: `${url(app.sinks.port)}/mail`,
        smtp: `smtp://${host}:${app.sinks.smtpPort}`,
      },
    };
  }

  dataEndpoints(): Omit<Endpoints, 'app'> {
    const { host, redis, kafka } = this.instance;
    const mongo = this.mongo.target;
    return {
      mongo: {
        uri: mongoUri(mongo),
        replicaSet: mongo.replicaSet,
        members: mongo.members.map((m) => `${host}:${m.port}`),
      },
      redis: {
        masterName: redis.masterName,
        sentinels: redis.sentinels.map((s) => ({ host, port: s.port })),
        dataNodes: redis.dataNodes.map((n) => `${host}:${n.port}`),
      },
      kafka: { brokers: kafka.nodes.map((n) => `${host}:${n.port}`), topics: kafka.topics },
    };
  }

  /** Members with a live process, per component. */
  async running(): Promise<string[]> {
    const all = await Promise.all(this.components.map((c) => c.runningMembers()));
    return all.flat();
  }

  /** Deletes every member's data, configs, logs and recorded facts. Refuses while anything runs. */
  async purge(): Promise<void> {
    const running = await this.running();
    if (running.length > 0) {
      throw new StackError({
        component: 'stack',
        message: `cannot delete data while ${running.join(', ')} run`,
        hint: 'run `pnpm stack:down` first',
      });
    }
    await rm(this.paths.root, { recursive: true, force: true });
    this.store.state.processes = {};
    this.store.state.facts = {};
  }

  async status(): Promise<ComponentStatus[]> {
    return Promise.all(this.components.map((c) => c.status()));
  }

  /** Stops the app first (it drains while the data tier still answers), then the data tier at once. */
  async down(): Promise<void> {
    await this.app.down();
    await Promise.all(this.dataTier.map((c) => c.down()));
    // Anything recorded but not a known member (e.g. left by an older topology) goes too.
    await Promise.all(this.supervisor.records().map((r) => this.supervisor.stop(r.member, 5000)));
  }

  /** Stops members started at or after `since` (Ctrl-C during start-up). */
  async stopStartedSince(since: number): Promise<string[]> {
    this.supervisor.refuseNewStarts('start-up was interrupted or failed');
    const fresh = this.supervisor.records().filter((r) => Date.parse(r.startedAt) >= since);
    await Promise.all(fresh.map((r) => this.supervisor.stop(r.member, 3000)));
    return fresh.map((r) => r.member);
  }

  /** Resident memory of every running member, in bytes. */
  async residentBytes(): Promise<number> {
    let total = 0;
    for (const record of this.supervisor.records()) {
      if (await this.supervisor.isRunning(record)) total += await residentBytes(record.pid);
    }
    return total;
  }
}
