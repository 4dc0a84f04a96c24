import { StackError } from '@stackdrill/toolkit';
import type { ComponentStatus, Member, MemberFilter } from '../../components/handle.ts';
import {
  LOG4J_PROPERTIES,
  newClusterId,
  renderServerProperties,
} from '../../components/kafka/kafka-config.ts';
import { bootstrapKafka } from '../../components/kafka/kafka-bootstrap.ts';
import { partitionLeader, probeKafka } from '../../components/kafka/kafka-probe.ts';
import { kafkaBrokerRegistered, waitUntil } from '../../readiness/strategies.ts';
import type { MemberLaunch } from './member-runtime.ts';
import { MemberComponent, type Report, type UpOutcome } from './member-component.ts';

/**
 * The port a broker's listener for this machine's clients has inside its container: published at
 * the broker's port in the topology (where the stack's own listener is, on the stack's network).
 */
export const KAFKA_HOST_LISTENER_PORT = 19092;

/** Three KRaft nodes (broker + controller each) of the pinned Apache Kafka. */
export class KafkaMembers extends MemberComponent {
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

  /** Where this machine's clients reach the brokers. */
  private get brokers(): string[] {
    return this.spec.nodes.map((n) => `${this.host}:${n.port}`);
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
    return probeKafka({ host: this.host, ...this.spec });
  }

  private async clusterId(): Promise<string> {
    const known = this.ctx.store.state.facts.kafkaClusterId;
    if (known) return known;
    const id = newClusterId();
    await this.ctx.store.setFacts({ kafkaClusterId: id });
    return id;
  }

  protected async launch(member: string): Promise<MemberLaunch> {
    const node = this.node(member);
    const { bindHost, dir: dirOf } = this.runtime.placement;
    const dir = dirOf(member);
    const named = this.namedOnStack;
    const props = renderServerProperties({
      host: bindHost,
      ...(named
        ? {
            announce: this.stackHost(member),
            external: { port: KAFKA_HOST_LISTENER_PORT, advertised: `${this.host}:${node.port}` },
          }
        : {}),
      nodeId: node.nodeId,
      port: node.port,
      controllerPort: node.controllerPort,
      dataDir: `${dir}/data`,
      voters: this.spec.nodes.map((n) => `${n.nodeId}@${this.stackHost(n.name)}:${n.controllerPort}`),
      replicationFactor: this.spec.replicationFactor,
      minInsyncReplicas: this.spec.minInsyncReplicas,
      partitionsPerTopic: this.spec.partitionsPerTopic,
    });
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
      `-Dlog4j.configuration=file:${dir}/log4j.properties`,
    ];
    const propsFile = `${dir}/server.properties`;
    return {
      member,
      component: this.name,
      program: 'kafka',
      args: [...jvm, 'kafka.Kafka', propsFile],
      files: [
        { name: 'server.properties', content: props },
        { name: 'log4j.properties', content: LOG4J_PROPERTIES },
      ],
      ports: named
        ? [node.port, node.controllerPort, KAFKA_HOST_LISTENER_PORT]
        : [node.port, node.controllerPort],
      published: [{ host: node.port, member: named ? KAFKA_HOST_LISTENER_PORT : node.port }],
      dirs: ['data'],
      // KRaft storage is formatted once, with the cluster id every node shares.
      init: {
        args: [
          ...jvm,
          'kafka.tools.StorageTool',
          'format',
          `--cluster-id=${await this.clusterId()}`,
          '--ignore-formatted',
          '-c',
          propsFile,
        ],
        creates: 'data/meta.properties',
        what: 'formatting KRaft storage',
        hint: 'delete the damaged data with `pnpm stack:up --fresh`, or check the Kafka jars with `pnpm run doctor`',
      },
    };
  }

  protected async waitUp(member: string): Promise<void> {
    const node = this.node(member);
    await waitUntil(member, kafkaBrokerRegistered(`${this.host}:${node.port}`, node.nodeId), [
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
