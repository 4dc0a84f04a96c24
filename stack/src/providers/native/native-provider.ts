import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { instancePaths, type InstancePaths } from '../../paths.ts';
import { residentBytes, StackError } from '@stackdrill/toolkit';
import type { ComponentHandle, ComponentName, ComponentStatus, Endpoints } from '../../components/handle.ts';
import { mongoUri } from '../../components/mongo/mongo-probe.ts';
import { StateStore } from '../../process/state-store.ts';
import { Supervisor } from '../../process/supervisor.ts';
import { resolveInstance, type ResolvedInstance, type InstanceName } from '@stackdrill/facts';
import { NativeKafka } from './kafka-native.ts';
import { NativeMongo } from './mongo-native.ts';
import type { NativeComponent, NativeContext, NativeTools } from './native-component.ts';
import { NativeRedis } from './redis-native.ts';
import { NativeApp } from './app-native.ts';
import { runDoctor } from '../../doctor/doctor.ts';
import type { AppSecrets } from '../../components/app/app-env.ts';
import {
  UpFailed,
  type LocalProcess,
  type Provider,
  type RestoreSeed,
  type UpEvent,
  type UpOptions,
  type UpResult,
  type UpOutcome,
} from '../provider.ts';

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
export class NativeProvider implements Provider {
  readonly name = 'native';

  private constructor(
    readonly resolved: ResolvedInstance,
    readonly paths: InstancePaths,
    readonly store: StateStore,
    readonly supervisor: Supervisor,
    /** The binaries the members run: found or installed by the doctor when `up` runs. */
    private readonly ctx: NativeContext,
    readonly mongo: NativeMongo,
    readonly redis: NativeRedis,
    readonly kafka: NativeKafka,
    readonly app: NativeApp,
  ) {}

  /** `tools` are the doctor's (`up` runs it); a test may pass them to drive one component. */
  static async open(instanceName: InstanceName, tools: NativeTools = NO_TOOLS): Promise<NativeProvider> {
    const instance = resolveInstance(instanceName);
    const paths = instancePaths(instanceName);
    const store = await StateStore.open(paths.stateFile, instanceName, 'native');
    const supervisor = new Supervisor(store);
    const ctx: NativeContext = {
      instance,
      paths,
      store,
      supervisor,
      tools,
      // Opened without tools (to act on a running stack), a restart spawned `ferretdb` by a bare name
      // and Kafka with an empty classpath: ENOENT, and the member stayed down.
      ensureTools: async () => {
        if (ctx.tools === NO_TOOLS) ctx.tools = await runDoctor();
      },
    };
    const provider: NativeProvider = new NativeProvider(
      instance,
      paths,
      store,
      supervisor,
      ctx,
      new NativeMongo(ctx),
      new NativeRedis(ctx),
      new NativeKafka(ctx),
      new NativeApp(ctx, () => provider.dataEndpoints()),
    );
    return provider;
  }

  get instance(): InstanceName {
    return this.resolved.name;
  }

  get home(): string {
    return this.paths.root;
  }

  async up(options: UpOptions = {}, onEvent: (event: UpEvent) => void = () => {}): Promise<UpResult> {
    const t0 = Date.now();
    const { signal } = options;
    this.ctx.tools = await runDoctor({ onEvent: (event) => onEvent({ type: 'doctor', event }) });
    if (options.restore && !options.fresh)
      throw new StackError({
        component: 'stack',
        message: `a restore starts a fresh instance, and ${this.instance} was not asked to start fresh`,
        hint: 'pass fresh: true with restore (its data is replaced by the backup)',
      });
    if (options.fresh) {
      await this.down();
      await this.purge();
      onEvent({ type: 'purged', path: this.paths.root });
    }
    if (options.restore) await this.placeRestoreSeed(options.restore);
    if (!options.dataOnly) await this.settleFaultProxy(options.faultProxy);
    const outcomes: UpResult['outcomes'] = {};
    const errors: unknown[] = [];
    // An abort ends the wait at once; what this call started is stopped below.
    const aborted = new Promise<never>((_, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    });
    aborted.catch(() => {});
    try {
      signal?.throwIfAborted();
      // The data tier's components start side by side; the app starts once they all answer.
      for (const stage of options.dataOnly ? [this.dataTier] : [this.dataTier, [this.app]]) {
        onEvent({ type: 'stage', components: stage.map((c) => c.name) });
        const results = await Promise.race([
          Promise.allSettled(stage.map((component) => this.upOne(component, onEvent))),
          aborted,
        ]);
        results.forEach((result, i) => {
          if (result.status === 'fulfilled') outcomes[stage[i]!.name] = result.value;
          else errors.push(result.reason);
        });
        if (errors.length > 0) break;
      }
    } catch (error) {
      errors.push(error);
    }
    if (errors.length > 0) {
      const stopped = await this.stopStartedSince(t0);
      throw new UpFailed(errors, stopped, signal?.aborted ?? false);
    }
    return { outcomes, alreadyUp: Object.values(outcomes).every((o) => o === 'already-running') };
  }

  /** The backup's pieces where the members will find them at their first start. */
  private async placeRestoreSeed(seed: RestoreSeed): Promise<void> {
    if (seed.appSecrets) await this.store.setFacts({ appSecrets: seed.appSecrets });
    if (seed.redisRdb) {
      const dir = this.paths.member(this.resolved.redis.dataNodes[0]!.name);
      await mkdir(dir, { recursive: true });
      await copyFile(seed.redisRdb, join(dir, 'dump.rdb'));
    }
  }

  /**
   * Whether the app goes through the fault proxy: decided when the app starts (and kept in the
   * state, so a member restarted later gets the same environment); a running app keeps its setting.
   */
  private async settleFaultProxy(wanted: boolean | undefined): Promise<void> {
    const running = (await this.app.runningMembers()).length > 0;
    const current = this.store.state.facts.faultProxy !== false;
    if (!running) {
      await this.store.setFacts({ faultProxy: wanted ?? true });
    } else if (wanted !== undefined && wanted !== current) {
      throw new StackError({
        component: 'app',
        message: `runs ${current ? 'with' : 'without'} the fault proxy, and this up asked for it ${wanted ? 'on' : 'off'}`,
        hint: `stop the app first (\`pnpm stack:down --instance ${this.instance}\`), then bring it up again`,
      });
    }
  }

  private async upOne(component: NativeComponent, onEvent: (event: UpEvent) => void): Promise<UpOutcome> {
    const started = Date.now();
    try {
      const outcome = await component.up((message) =>
        onEvent({ type: 'progress', component: component.name, message }),
      );
      onEvent({ type: 'ready', component: component.name, outcome, ms: Date.now() - started });
      return outcome;
    } catch (error) {
      onEvent({ type: 'failed', component: component.name, error });
      throw error;
    }
  }

  handles(): ComponentHandle[] {
    return this.components;
  }

  logFile(member: string): string | undefined {
    return this.paths.log(member);
  }

  async isRunning(): Promise<boolean> {
    return (await this.running()).length > 0;
  }

  async localProcesses(): Promise<LocalProcess[]> {
    const running: LocalProcess[] = [];
    for (const record of this.supervisor.records()) {
      if (await this.supervisor.isRunning(record)) running.push({ member: record.member, pid: record.pid });
    }
    return running;
  }

  faultProxyApi(): string | undefined {
    if (this.store.state.facts.faultProxy === false) return undefined;
    return `http://${this.resolved.host}:${this.resolved.app.faultProxy.port}`;
  }

  appSecrets(): AppSecrets | undefined {
    const secrets = this.store.state.facts.appSecrets;
    return secrets?.loadKey ? { ...secrets, loadKey: secrets.loadKey } : undefined;
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

  /** Every member listens on loopback here, so the host's view and the stack's are the same. */
  endpoints(_view: 'host' | 'stack' = 'host'): Endpoints {
    const { host, app } = this.resolved;
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
    const { host, redis, kafka } = this.resolved;
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
    await this.store.clear();
  }

  async status(options: { dataOnly?: boolean } = {}): Promise<ComponentStatus[]> {
    return Promise.all((options.dataOnly ? this.dataTier : this.components).map((c) => c.status()));
  }

  /** Stops the app first (it drains while the data tier still answers), then the data tier at once. */
  async down(): Promise<{ stopped: number }> {
    const before = this.supervisor.records();
    await this.app.down();
    await Promise.all(this.dataTier.map((c) => c.down()));
    // Anything recorded but not a known member (e.g. left by an older topology) goes too.
    await Promise.all(this.supervisor.records().map((r) => this.supervisor.stop(r.member, 5000)));
    const survivors = [];
    for (const record of before) if (await this.supervisor.isRunning(record)) survivors.push(record);
    if (survivors.length > 0) {
      throw new StackError({
        component: 'stack',
        message: `still running after stop: ${survivors.map((r) => `${r.member} (pid ${r.pid})`).join(', ')}`,
        hint: 'kill them by PID and run `pnpm stack:down` again',
      });
    }
    return { stopped: before.length };
  }

  /** Stops members started at or after `since` (a failed or interrupted start-up). */
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
