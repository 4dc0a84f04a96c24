import { randomBytes } from 'node:crypto';

/** server.properties for one KRaft node in combined mode (broker + controller). */

export interface KafkaNodeConfig {
  /** The address its listeners bind to. */
  host: string;
  /** Where the other brokers and the stack's clients reach it, when not at `host` (containers). */
  announce?: string;
  /**
   * A listener for clients on this machine, when they reach the broker at another address than
   * the stack does (a container's published port): it listens on `port` and is advertised as `advertised`.
   */
  external?: { port: number; advertised: string };
  nodeId: number;
  port: number;
  controllerPort: number;
  dataDir: string;
  /** Every controller, as `id@host:port`. */
  voters: string[];
  replicationFactor: number;
  minInsyncReplicas: number;
  partitionsPerTopic: number;
}

export function renderServerProperties(c: KafkaNodeConfig): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': c.nodeId,
    'controller.quorum.voters': c.voters.join(','),
    listeners: [
      `PLAINTEXT://${c.host}:${c.port}`,
      `CONTROLLER://${c.host}:${c.controllerPort}`,
      ...(c.external ? [`EXTERNAL://${c.host}:${c.external.port}`] : []),
    ].join(','),
    'advertised.listeners': [
      `PLAINTEXT://${c.announce ?? c.host}:${c.port}`,
      ...(c.external ? [`EXTERNAL://${c.external.advertised}`] : []),
    ].join(','),
    'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${c.external ? ',EXTERNAL:PLAINTEXT' : ''}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': c.dataDir,
    // Durability: every topic is replicated 3 ways and a write needs 2 in-sync copies.
    'default.replication.factor': c.replicationFactor,
    'min.insync.replicas': c.minInsyncReplicas,
    'unclean.leader.election.enable': false,
    'offsets.topic.replication.factor': c.replicationFactor,
    'transaction.state.log.replication.factor': c.replicationFactor,
    'transaction.state.log.min.isr': c.minInsyncReplicas,
    'num.partitions': c.partitionsPerTopic,
    // Topics are created explicitly from the topology; a typo must not create a new one.
    'auto.create.topics.enable': false,
    // Small internal topics and few threads: three brokers share two cores.
    'offsets.topic.num.partitions': 6,
    'transaction.state.log.num.partitions': 6,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'num.recovery.threads.per.data.dir': 1,
    'background.threads': 2,
    'log.cleaner.threads': 1,
    'group.initial.rebalance.delay.ms': 0,
    // The controller moves a dead broker's leaderships once it stops hearing from it: after 9 s by
    // default, which alone broke the leader-loss drill's 10 s target (measured 12.6 s). A broker
    // heartbeats every second; 4 s of silence is a crash, not a GC pause.
    'broker.session.timeout.ms': 4000,
    'broker.heartbeat.interval.ms': 1000,
  };
  return (
    Object.entries(props)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join('\n') + '\n'
  );
}

/** Kafka 3.9 logs through reload4j: everything to stdout, which the supervisor writes to the member's log. */
export const LOG4J_PROPERTIES = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
`;

/**
 * A new cluster id: 16 random bytes in URL-safe base64, as Kafka makes them, and like Kafka's own
 * generator never starting with "-" (command-line parsers take that for an option).
 */
export function newClusterId(random: () => Buffer = () => randomBytes(16)): string {
  for (;;) {
    const id = random().toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
