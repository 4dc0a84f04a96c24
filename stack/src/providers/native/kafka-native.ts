import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError } from '@stackdrill/toolkit';
import type { ComponentStatus, Member, MemberFilter } from '../../components/handle.ts';
import {
  LOG4J_PROPERTIES,
  newClusterId,
  renderServerProperties,
} from '../../components/kafka/kafka-config.ts';
import { bootstrapKafka } from '../../components/kafka/kafka-bootstrap.ts';
import { partitionLeader, probeKafka } from '../../components/kafka/kafka-probe.ts';
import { TOOLS } from '@stackdrill/toolkit';
import type { ProcessSpec } from '../../process/supervisor.ts';
import { kafkaBrokerRegistered, waitUntil } from '../../readiness/strategies.ts';
import { NativeComponent, type Report, type UpOutcome } from './native-component.ts';

/** Three KRaft nodes (broker + controller each) from the pinned Apache Kafka jars. */
export class NativeKafka extends NativeComponent {
  readonly name = 'kafka' as const;
  protected readonly stopGraceMs = 8000;

  private get spec() {
    return this.ctx.instance.kafka;
  }

  private node(member: string) {
    const node = this.spec.nodes.find((n) => n.name === member);
    if (!node) throw new StackError({ component: 'kafka', message: `has no member "${member}"` });
    return node;
  }

  private dataDir(member: string): string {
    return join(this.ctx.paths.member(member), 'data');
  }

  private get brokers(): string[] {
    return this.spec.nodes.map((n) => `${this.ctx.instance.host}:${n.port}`);
  }

  memberNames(): string[] {
    return this.spec.nodes.map((n) => n.name);
  }

  protected memberPorts(member: string): number[] {
    const node = this.node(member);
    return [node.port, node.controllerPort];
  }

  /** As every handle's, and `leaderOf`: the broker leading that partition, per the cluster metadata. */
  override async members(filter: MemberFilter = {}): Promise<Member[]> {
    const members = await super.members(filter);
    if (!filter.leaderOf) return members;
    const { topic, partition } = filter.leaderOf;
    const leader = await partitionLeader(this.brokers, topic, partition);
    const name = this.spec.nodes.find((n) => n.nodeId === leader)?.name;
    return members.filter((m) => m.name === name);
  }

  protected async probe(): Promise<ComponentStatus> {
    return probeKafka({ host: this.ctx.instance.host, ...this.spec });
  }

  private async clusterId(): Promise<string> {
    const known = this.ctx.store.state.facts.kafkaClusterId;
    if (known) return known;
    const id = newClusterId();
    await this.ctx.store.setFacts({ kafkaClusterId: id });
    return id;
  }

  protected async prepare(member: string): Promise<ProcessSpec> {
    const node = this.node(member);
    const dir = this.ctx.paths.member(member);
    const dataDir = this.dataDir(member);
    await mkdir(dataDir, { recursive: true });
    const host = this.ctx.instance.host;
    const propsFile = join(dir, 'server.properties');
    const log4jFile = join(dir, 'log4j.properties');
    await writeFile(
      propsFile,
      renderServerProperties({
        host,
        nodeId: node.nodeId,
        port: node.port,
        controllerPort: node.controllerPort,
        dataDir,
        voters: this.spec.nodes.map((n) => `${n.nodeId}@${host}:${n.controllerPort}`),
        replicationFactor: this.spec.replicationFactor,
        minInsyncReplicas: this.spec.minInsyncReplicas,
        partitionsPerTopic: this.spec.partitionsPerTopic,
      }),
    );
    await writeFile(log4jFile, LOG4J_PROPERTIES);
    // Three brokers share a laptop's cores with the whole stack: the client JIT alone (no C2) and the
    // serial collector (right for a heap this small) halve the brokers' CPU here: 36 -> 19 s of CPU to
    // start, 17 -> 9 % of a core idle, about half under load. Real clusters keep their own JVM options.
    const jvm = [
      `-Xms${this.spec.heap}`,
      `-Xmx${this.spec.heap}`,
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4jFile}`,
      '-cp',
      this.ctx.tools.kafkaClasspath,
    ];
    await this.formatIfNew(member, propsFile, jvm);
    return {
      member,
      component: this.name,
      command: this.ctx.tools.java,
      args: [...jvm, 'kafka.Kafka', propsFile],
      cwd: dir,
      logFile: this.ctx.paths.log(member),
    };
  }

  /** KRaft storage must be formatted once, with the cluster id every node shares. */
  private async formatIfNew(member: string, propsFile: string, jvm: string[]): Promise<void> {
    const formatted = await access(join(this.dataDir(member), 'meta.properties')).then(
      () => true,
      () => false,
    );
    if (formatted) return;
    const clusterId = await this.clusterId();
    await TOOLS.run(
      this.ctx.tools.java,
      [...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propsFile],
      {
        timeoutMs: 60_000,
        what: 'formatting KRaft storage',
        component: member,
        hint: 'delete the damaged data with `pnpm stack:up --fresh`, or check the Kafka jars with `pnpm run doctor`',
      },
    );
  }

  protected async waitUp(member: string): Promise<void> {
    const node = this.node(member);
    await waitUntil(member, kafkaBrokerRegistered(`${this.ctx.instance.host}:${node.port}`, node.nodeId), [
      this.watch(member),
    ]);
  }

  async up(report: Report): Promise<UpOutcome> {
    const started = await this.startMissing(this.memberNames(), report, 'KRaft nodes');
    await bootstrapKafka(
      { brokers: this.brokers, ...this.spec },
      report,
      this.memberNames().map((m) => this.watch(m)),
    );
    return started > 0 ? 'started' : 'already-running';
  }
}
