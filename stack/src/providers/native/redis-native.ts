import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathExists, StackError, waitFor } from '@stackdrill/toolkit';
import type { ComponentStatus } from '../../components/handle.ts';
import { renderRedisConf, renderSentinelConf } from '../../components/redis/redis-config.ts';
import {
  probeRedis,
  sentinelMaster,
  withRedis,
  type RedisProbeTarget,
} from '../../components/redis/redis-probe.ts';
import type { ProcessSpec } from '../../process/supervisor.ts';
import { sentinelsAgree } from '../../components/redis/sentinel-agreement.ts';
import { redisPing, waitUntil } from '../../readiness/strategies.ts';
import { NativeComponent, type Report, type UpOutcome } from './native-component.ts';

/** Redis: one master, two replicas and three Sentinels, as local processes. */
export class NativeRedis extends NativeComponent {
  readonly name = 'redis' as const;
  protected readonly stopGraceMs = 5000;
  /** Members started from a restored RDB with AOF off: AOF goes on once they answer. */
  private readonly fromRdb = new Set<string>();

  private get spec() {
    return this.ctx.instance.redis;
  }

  private get target(): RedisProbeTarget {
    return { host: this.ctx.instance.host, ...this.spec };
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
    const named = await sentinelMaster(this.target);
    const byAddress =
      named && this.spec.dataNodes.find((n) => `${this.ctx.instance.host}:${n.port}` === named);
    if (byAddress) return byAddress;
    const recorded = this.spec.dataNodes.find((n) => n.name === this.ctx.store.state.facts.redisMaster);
    return recorded ?? this.spec.dataNodes[0]!;
  }

  protected async prepare(member: string): Promise<ProcessSpec> {
    const dir = this.ctx.paths.member(member);
    await mkdir(dir, { recursive: true });
    const master = await this.currentMaster();
    const host = this.ctx.instance.host;
    const dataNode = this.spec.dataNodes.find((n) => n.name === member);
    const confFile = join(dir, dataNode ? 'redis.conf' : 'sentinel.conf');
    if (dataNode) {
      const fromRdb = dataNode.name === master.name && (await isRestoreSeed(dir));
      if (fromRdb) this.fromRdb.add(member);
      await writeFile(
        confFile,
        renderRedisConf({
          host,
          port: dataNode.port,
          dir,
          fromRdb,
          ...(dataNode.name === master.name ? {} : { replicaOf: { host, port: master.port } }),
          minReplicasToWrite: this.spec.minReplicasToWrite,
          minReplicasMaxLagS: this.spec.minReplicasMaxLagS,
        }),
      );
    } else {
      const sentinel = this.spec.sentinels.find((s) => s.name === member)!;
      await writeFile(
        confFile,
        renderSentinelConf({
          host,
          port: sentinel.port,
          dir,
          masterName: this.spec.masterName,
          master: { host, port: master.port },
          quorum: this.spec.quorum,
          downAfterMs: this.spec.downAfterMs,
          failoverTimeoutMs: this.spec.failoverTimeoutMs,
        }),
      );
    }
    return {
      member,
      component: this.name,
      command: this.ctx.tools.redisServer,
      args: dataNode ? [confFile] : [confFile, '--sentinel'],
      cwd: dir,
      logFile: this.ctx.paths.log(member),
    };
  }

  protected async waitUp(member: string): Promise<void> {
    const port = this.memberPorts(member)[0]!;
    await waitUntil(member, redisPing(this.ctx.instance.host, port), [this.watch(member)]);
    if (!this.fromRdb.delete(member)) return;
    // The RDB is loaded (PING answers LOADING until then): AOF on, written from what is in memory.
    const host = this.ctx.instance.host;
    await withRedis(host, port, (r) => r.config('SET', 'appendonly', 'yes'));
    await waitUntil(
      member,
      {
        what: 'write its AOF from the restored RDB',
        timeoutMs: 60_000,
        probe: () =>
          withRedis(host, port, async (r) => {
            const info = await r.info('persistence');
            return /aof_enabled:1/.test(info) && /aof_rewrite_in_progress:0/.test(info) ? true : undefined;
          }),
      },
      [this.watch(member)],
    );
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
        logFile: this.ctx.paths.log(this.spec.sentinels[0]!.name),
      },
    );
    await this.ctx.store.setFacts({ redisMaster: (await this.currentMaster()).name });
    return started > 0 ? 'started' : 'already-running';
  }

  private sentinelsKnowEveryone(): Promise<boolean> {
    return sentinelsAgree({
      host: this.ctx.instance.host,
      sentinels: this.spec.sentinels,
      masterName: this.spec.masterName,
      replicas: this.spec.dataNodes.length - 1,
    });
  }

  /** Records the master so the next start resumes from it, then stops everything. */
  override async down(): Promise<void> {
    const master = await sentinelMaster(this.target).catch(() => undefined);
    const node = master && this.spec.dataNodes.find((n) => `${this.ctx.instance.host}:${n.port}` === master);
    if (node) await this.ctx.store.setFacts({ redisMaster: node.name });
    await super.down();
  }

  /** The data node Sentinels currently name as master. */
  async masterMember(): Promise<string> {
    const master = await sentinelMaster(this.target);
    const node = master && this.spec.dataNodes.find((n) => `${this.ctx.instance.host}:${n.port}` === master);
    if (!node) throw new StackError({ component: 'redis', message: 'no sentinel names a master' });
    return node.name;
  }
}

/** A restore put an RDB here and no AOF exists yet (a node that ran before has its appendonlydir). */
async function isRestoreSeed(dir: string): Promise<boolean> {
  return (await pathExists(join(dir, 'dump.rdb'))) && !(await pathExists(join(dir, 'appendonlydir')));
}
