import { StackError } from '@stackdrill/toolkit';
import type { ComponentHandle, ComponentName, ComponentStatus, Endpoints } from '../../components/handle.ts';
import type { AppSecrets } from '../../components/app/app-env.ts';
import type { MongoFlavor } from '../../components/mongo/mongo-probe.ts';
import type { InstancePaths } from '../../paths.ts';
import type { StateStore } from '../../process/state-store.ts';
import type { InstanceName, ResolvedInstance } from '@stackdrill/facts';
import {
  UpFailed,
  type LocalProcess,
  type Provider,
  type ProviderName,
  type RestoreSeed,
  type UpEvent,
  type UpOptions,
  type DownOptions,
  type DownResult,
  type UpOutcome,
  type UpResult,
} from '../provider.ts';
import { AppMembers, type AppUi } from './app-members.ts';
import { KafkaMembers } from './kafka-members.ts';
import type { MemberComponent } from './member-component.ts';
import type { MemberRuntime } from './member-runtime.ts';
import { MongoMembers } from './mongo-members.ts';
import { RedisMembers } from './redis-members.ts';

/** What a provider's runtime brings to the shared start-up: which MongoDB it can run, how it serves the UI. */
export interface MemberProviderParts {
  resolved: ResolvedInstance;
  paths: InstancePaths;
  store: StateStore;
  runtime: MemberRuntime;
  mongoAvailable: () => MongoFlavor;
  ui: AppUi;
}

/**
 * The start-up every provider shares, whatever runs the members: the data tier's components side
 * by side, then the app; a fresh start, a restore, the fault-proxy setting, the clean-up of a failed
 * start, and the endpoints in both views. A provider brings the runtime and what only it knows:
 * how to get ready to start members, where a restored RDB goes, how to delete data.
 */
export abstract class MemberProvider implements Provider {
  abstract readonly name: ProviderName;
  readonly resolved: ResolvedInstance;
  readonly paths: InstancePaths;
  readonly store: StateStore;
  readonly runtime: MemberRuntime;
  readonly mongo: MongoMembers;
  readonly redis: RedisMembers;
  readonly kafka: KafkaMembers;
  readonly app: AppMembers;
  /** Whether a member of its own serves the web UI (else the gateway does). */
  private readonly uiApart: boolean;

  constructor(parts: MemberProviderParts) {
    this.uiApart = parts.ui.ownMember === true;
    this.resolved = parts.resolved;
    this.paths = parts.paths;
    this.store = parts.store;
    this.runtime = parts.runtime;
    const ctx = { instance: parts.resolved, store: parts.store, runtime: parts.runtime };
    this.mongo = new MongoMembers(ctx, parts.mongoAvailable);
    this.redis = new RedisMembers(ctx);
    this.kafka = new KafkaMembers(ctx);
    this.app = new AppMembers(ctx, () => this.dataEndpoints('stack'), parts.ui);
  }

  /** Gets what starting members needs (the doctor's binaries, a container engine) before `up` starts any. */
  protected abstract prepare(options: UpOptions, onEvent: (event: UpEvent) => void): Promise<void>;
  /** Puts a restored RDB where `member` (the first master) finds it at its first start. */
  protected abstract placeRedisRdb(member: string, file: string): Promise<void>;
  /** Deletes every member's data (nothing runs). */
  protected abstract deleteData(): Promise<void>;
  /** Stops members started at or after `since` (a failed or interrupted start-up); says which. */
  abstract stopStartedSince(since: number): Promise<string[]>;
  abstract down(options?: DownOptions): Promise<DownResult>;
  abstract leftovers(): Promise<string[]>;
  abstract logFile(member: string): string | undefined;
  abstract localProcesses(): Promise<LocalProcess[]>;
  abstract residentBytes(): Promise<number>;

  get instance(): InstanceName {
    return this.resolved.name;
  }

  get home(): string {
    return this.paths.root;
  }

  async up(options: UpOptions = {}, onEvent: (event: UpEvent) => void = () => {}): Promise<UpResult> {
    const t0 = Date.now();
    const { signal } = options;
    await this.claimInstance();
    await this.prepare(options, onEvent);
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

  /**
   * An instance's state belongs to the provider that made it: another provider's stack (its data,
   * its running members) is never taken over. A purged or new instance is this provider's.
   */
  private async claimInstance(): Promise<void> {
    const { provider, processes, facts } = this.store.state;
    if (provider === this.name) return;
    if (Object.keys(processes).length > 0 || Object.keys(facts).length > 0) {
      throw new StackError({
        component: 'stack',
        message: `instance "${this.instance}" belongs to the ${provider} provider (its data is in ${this.paths.root})`,
        hint: `stop and delete it first (\`pnpm stack:down --provider ${provider} --instance ${this.instance} --purge\`), or use another instance`,
      });
    }
    await this.store.setProvider(this.name);
  }

  /** The backup's pieces where the members will find them at their first start. */
  private async placeRestoreSeed(seed: RestoreSeed): Promise<void> {
    if (seed.appSecrets) await this.store.setFacts({ appSecrets: seed.appSecrets });
    if (seed.redisRdb) {
      const first = this.resolved.redis.dataNodes[0]!.name;
      await this.placeRedisRdb(first, seed.redisRdb);
      await this.store.setFacts({ redisRestoredRdb: first, redisMaster: first });
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

  private async upOne(component: MemberComponent, onEvent: (event: UpEvent) => void): Promise<UpOutcome> {
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

  /** Every component: the data tier first, then the app that needs it. */
  get components(): MemberComponent[] {
    return [...this.dataTier, this.app];
  }

  get dataTier(): MemberComponent[] {
    return [this.mongo, this.redis, this.kafka];
  }

  handle(name: ComponentName): ComponentHandle {
    return { mongo: this.mongo, redis: this.redis, kafka: this.kafka, app: this.app }[name];
  }

  async isRunning(): Promise<boolean> {
    return (await this.running()).length > 0;
  }

  /** Members that run, per component. */
  async running(): Promise<string[]> {
    const all = await Promise.all(this.components.map((c) => c.runningMembers()));
    return all.flat();
  }

  faultProxyApi(): string | undefined {
    if (this.store.state.facts.faultProxy === false) return undefined;
    return `http://${this.resolved.host}:${this.resolved.app.faultProxy.port}`;
  }

  appSecrets(): AppSecrets | undefined {
    const secrets = this.store.state.facts.appSecrets;
    return secrets?.loadKey ? { ...secrets, loadKey: secrets.loadKey } : undefined;
  }

  /** Where clients connect: this machine reaches every member on loopback; the stack by the runtime's names. */
  endpoints(view: 'host' | 'stack' = 'host'): Endpoints {
    const { app } = this.resolved;
    const url = (member: string, port: number) => `http://${this.hostOf(view, member)}:${port}`;
    return {
      ...this.dataEndpoints(view),
      app: {
        ui: this.uiApart ? url(app.ui.name, app.ui.port) : url('gateway', app.gateway.port),
        gateway: url('gateway', app.gateway.port),
        gatewayMetrics: url('gateway', app.gateway.metricsPort),
        services: Object.fromEntries(app.services.map((s) => [s.name, url(s.name, s.port)])),
        mailInbox: `${url('sinks', app.sinks.port)}/mail`,
        smtp: `smtp://${this.hostOf(view, 'sinks')}:${app.sinks.smtpPort}`,
      },
    };
  }

  private hostOf(view: 'host' | 'stack', member: string): string {
    return view === 'host' ? this.resolved.host : this.runtime.placement.stackHost(member);
  }

  dataEndpoints(view: 'host' | 'stack' = 'host'): Omit<Endpoints, 'app'> {
    const { redis, kafka } = this.resolved;
    const mongo = this.mongo.target;
    const at = (m: { name: string; port: number }) => `${this.hostOf(view, m.name)}:${m.port}`;
    // Sentinel names data nodes by their stack addresses: this machine's clients map them to loopback.
    const natMap = view === 'host' ? this.redis.hostNatMap() : undefined;
    return {
      mongo: {
        uri: this.mongo.clientUri(view, (member) => this.hostOf(view, member)),
        replicaSet: mongo.replicaSet,
        members: mongo.members.map(at),
      },
      redis: {
        masterName: redis.masterName,
        sentinels: redis.sentinels.map((s) => ({ host: this.hostOf(view, s.name), port: s.port })),
        dataNodes: redis.dataNodes.map(at),
        ...(natMap ? { natMap } : {}),
      },
      kafka: { brokers: kafka.nodes.map(at), topics: kafka.topics },
    };
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
    // The state first: its file is in the directory deleteData removes, and nothing is left after.
    await this.store.clear();
    await this.deleteData();
  }

  async status(options: { dataOnly?: boolean } = {}): Promise<ComponentStatus[]> {
    return Promise.all((options.dataOnly ? this.dataTier : this.components).map((c) => c.status()));
  }

  /** Stops the app first (it drains while the data tier still answers), then the data tier at once. */
  protected async stopComponents(onEvent: DownOptions['onEvent'] = () => {}): Promise<void> {
    const stop = async (component: MemberComponent) => {
      const t0 = Date.now();
      onEvent({ type: 'stopping', component: component.name });
      await component.down();
      onEvent({ type: 'stopped', component: component.name, ms: Date.now() - t0 });
    };
    await stop(this.app);
    await Promise.all(this.dataTier.map(stop));
  }
}
