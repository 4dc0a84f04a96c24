import { StackError, waitFor } from '@stackdrill/toolkit';
import type { ComponentStatus } from '../../components/handle.ts';
import { renderRedisConf, renderSentinelConf } from '../../components/redis/redis-config.ts';
import {
  nodeAt,
  probeRedis,
  sentinelMaster,
  withRedis,
  type RedisProbeTarget,
} from '../../components/redis/redis-probe.ts';
import { sentinelsAgree } from '../../components/redis/sentinel-agreement.ts';
import { redisPing, waitUntil } from '../../readiness/strategies.ts';
import type { MemberLaunch } from './member-runtime.ts';
import { MemberComponent, type Report, type UpOutcome } from './member-component.ts';

/** Redis: one master, two replicas and three Sentinels, each a member of its own. */
export class RedisMembers extends MemberComponent {
  readonly name = 'redis' as const;
  protected readonly stopGraceMs = 5000;

  private get spec() {
    return this.ctx.instance.redis;
  }

  /** As this machine probes them; Sentinel names data nodes by where the stack reaches them. */
  get target(): RedisProbeTarget {
    return {
      host: this.host,
      ...this.spec,
      ...(this.namedOnStack ? { announced: (n) => `${this.stackHost(n.name)}:${n.port}` } : {}),
    };
  }

  memberNames(): string[] {
    return [...this.spec.dataNodes, ...this.spec.sentinels].map((m) => m.name);
  }

  protected memberPorts(member: string): number[] {
    return [...this.spec.dataNodes, ...this.spec.sentinels]
      .filter((m) => m.name === member)
      .map((m) => m.port);
  }

  /** Sentinels first, so none starts a failover while the data nodes stop. */
  protected override stopOrder(): string[][] {
    return [this.spec.sentinels.map((s) => s.name), this.spec.dataNodes.map((n) => n.name)];
  }

  protected probe(): Promise<ComponentStatus> {
    return probeRedis(this.target);
  }

  /**
   * The current master: whatever the Sentinels say if any answers, else the master recorded when
   * the stack last stopped, else the first data node. Restarted nodes follow it, so a warm restart
   * never resyncs the newest data away.
   */
  private async currentMaster(): Promise<{ name: string; port: number }> {
    const named = nodeAt(this.target, await sentinelMaster(this.target));
    if (named) return named;
    const recorded = this.spec.dataNodes.find((n) => n.name === this.ctx.store.state.facts.redisMaster);
    return recorded ?? this.spec.dataNodes[0]!;
  }

  protected async launch(member: string): Promise<MemberLaunch> {
    const master = await this.currentMaster();
    const { bindHost, dir: dirOf } = this.runtime.placement;
    const dir = dirOf(member);
    const announce = this.namedOnStack ? { announce: this.stackHost(member) } : {};
    const dataNode = this.spec.dataNodes.find((n) => n.name === member);
    const port = this.memberPorts(member)[0]!;
    const common = {
      member,
      component: this.name,
      program: 'redis-server' as const,
      // The image's health check pings this port.
      env: { REDIS_PORT: String(port) },
      ports: [port],
      published: [{ host: port, member: port }],
    };
    if (dataNode) {
      const fromRdb = this.ctx.store.state.facts.redisRestoredRdb === member;
      const conf = renderRedisConf({
        host: bindHost,
        port,
        dir,
        fromRdb,
        ...announce,
        ...(dataNode.name === master.name
          ? {}
          : { replicaOf: { host: this.stackHost(master.name), port: master.port } }),
        minReplicasToWrite: this.spec.minReplicasToWrite,
        minReplicasMaxLagS: this.spec.minReplicasMaxLagS,
      });
      return { ...common, args: [`${dir}/redis.conf`], files: [{ name: 'redis.conf', content: conf }] };
    }
    const conf = renderSentinelConf({
      host: bindHost,
      port,
      dir,
      ...announce,
      masterName: this.spec.masterName,
      master: { host: this.stackHost(master.name), port: master.port },
      quorum: this.spec.quorum,
      downAfterMs: this.spec.downAfterMs,
      failoverTimeoutMs: this.spec.failoverTimeoutMs,
    });
    return {
      ...common,
      args: [`${dir}/sentinel.conf`, '--sentinel'],
      files: [{ name: 'sentinel.conf', content: conf }],
    };
  }

  protected async waitUp(member: string): Promise<void> {
    const port = this.memberPorts(member)[0]!;
    await waitUntil(member, redisPing(this.host, port), [this.watch(member)]);
    if (this.ctx.store.state.facts.redisRestoredRdb !== member) return;
    // The RDB is loaded (PING answers LOADING until then): AOF on, written from what is in memory.
    await withRedis(this.host, port, (r) => r.config('SET', 'appendonly', 'yes'));
    await waitUntil(
      member,
      {
        what: 'write its AOF from the restored RDB',
        timeoutMs: 60_000,
        probe: () =>
          withRedis(this.host, port, async (r) => {
            const info = await r.info('persistence');
            return /aof_enabled:1/.test(info) && /aof_rewrite_in_progress:0/.test(info) ? true : undefined;
          }),
      },
      [this.watch(member)],
    );
    await this.ctx.store.setFacts({ redisRestoredRdb: undefined });
  }

  async up(report: Report): Promise<UpOutcome> {
    const started =
      (await this.startMissing(
        this.spec.dataNodes.map((n) => n.name),
        report,
        'data nodes',
      )) +
      (await this.startMissing(
        this.spec.sentinels.map((s) => s.name),
        report,
        'sentinels',
      ));
    report('waiting for replicas to sync and sentinels to agree');
    await waitFor(
      async () => {
        const status = await this.status();
        if (status.healthy && (await this.sentinelsKnowEveryone())) return status;
        throw new Error(
          status.problems[0] ??
            status.members.find((m) => !m.healthy)?.detail ??
            'sentinels still discovering',
        );
      },
      {
        component: 'redis',
        what: 'have one master, 2 synced replicas and 3 agreeing sentinels',
        timeoutMs: 30_000,
        watch: this.memberNames().map((m) => this.watch(m)),
      },
    );
    await this.ctx.store.setFacts({ redisMaster: (await this.currentMaster()).name });
    return started > 0 ? 'started' : 'already-running';
  }

  private sentinelsKnowEveryone(): Promise<boolean> {
    return sentinelsAgree({
      host: this.host,
      sentinels: this.spec.sentinels,
      masterName: this.spec.masterName,
      replicas: this.spec.dataNodes.length - 1,
    });
  }

  /** Records the master so the next start resumes from it, then stops everything. */
  override async down(): Promise<void> {
    const node = nodeAt(this.target, await sentinelMaster(this.target).catch(() => undefined));
    if (node) await this.ctx.store.setFacts({ redisMaster: node.name });
    await super.down();
  }

  /** The data node Sentinels currently name as master. */
  async masterMember(): Promise<string> {
    const node = nodeAt(this.target, await sentinelMaster(this.target));
    if (!node) throw new StackError({ component: 'redis', message: 'no sentinel names a master' });
    return node.name;
  }

  /** Addresses Sentinel hands out, mapped to where this machine reaches them (none when they are the same). */
  hostNatMap(): Record<string, { host: string; port: number }> | undefined {
    if (!this.namedOnStack) return undefined;
    return Object.fromEntries(
      [...this.spec.dataNodes, ...this.spec.sentinels].map((n) => [
        `${this.stackHost(n.name)}:${n.port}`,
        { host: this.host, port: n.port },
      ]),
    );
  }
}
