import { APP, DATA_TIER, FAULT_PROXY, INSTANCES, LOCAL_HOST, type InstanceName } from './topology.ts';

/** A named stack with the topology's ports shifted by its offset: what a provider actually runs. */
export interface ResolvedInstance {
  name: InstanceName;
  host: string;
  mongo: {
    replicaSet: string;
    members: { name: string; port: number }[];
    /** The SOCKS5 gate to the set, where a provider runs one (DATA_TIER.mongo.gate). */
    gate: { name: string; port: number };
  };
  redis: Omit<typeof DATA_TIER.redis, 'dataNodes' | 'sentinels'> & {
    dataNodes: { name: string; port: number }[];
    sentinels: { name: string; port: number }[];
  };
  kafka: Omit<typeof DATA_TIER.kafka, 'nodes'> & {
    nodes: { name: string; nodeId: number; port: number; controllerPort: number }[];
  };
  app: {
    rateLimits: { perIpPerMinute: number; perUserPerMinute: number; loadPerMinute: number };
    /** The services offer the test-only fault switches (TEST_SWITCHES): the test instance only. */
    testSwitches: boolean;
    sinks: { name: 'sinks'; port: number; smtpPort: number };
    services: { name: string; port: number }[];
    gateway: { name: 'gateway'; port: number; metricsPort: number };
    /** The web UI's own server, where a provider runs one (APP.ui). */
    ui: { name: 'ui'; port: number };
    /** The fault proxy's API (FAULT_PROXY); its listeners are the fault points. */
    faultProxy: { name: 'fault-proxy'; port: number };
  };
}

export function isInstanceName(name: string): name is InstanceName {
  return Object.hasOwn(INSTANCES, name);
}

export function resolveInstance(name: InstanceName): ResolvedInstance {
  const offset = INSTANCES[name].portOffset;
  const shift = <T extends { port: number }>(m: T): T => ({ ...m, port: m.port + offset });
  return {
    name,
    host: LOCAL_HOST,
    mongo: {
      replicaSet: DATA_TIER.mongo.replicaSet,
      members: DATA_TIER.mongo.members.map(shift),
      gate: shift(DATA_TIER.mongo.gate),
    },
    redis: {
      ...DATA_TIER.redis,
      dataNodes: DATA_TIER.redis.dataNodes.map(shift),
      sentinels: DATA_TIER.redis.sentinels.map(shift),
    },
    kafka: {
      ...DATA_TIER.kafka,
      nodes: DATA_TIER.kafka.nodes.map((n) => ({
        ...n,
        port: n.port + offset,
        controllerPort: n.controllerPort + offset,
      })),
    },
    app: {
      rateLimits: INSTANCES[name].rateLimits,
      testSwitches: INSTANCES[name].testSwitches,
      sinks: { name: 'sinks', port: APP.sinks.port + offset, smtpPort: APP.sinks.smtpPort + offset },
      services: APP.services.map(shift),
      gateway: {
        name: 'gateway',
        port: APP.gateway.port + offset,
        metricsPort: APP.gateway.metricsPort + offset,
      },
      faultProxy: { name: FAULT_PROXY.name, port: FAULT_PROXY.apiPort + offset },
      ui: { name: 'ui', port: APP.ui.port + offset },
    },
  };
}

/** Every port an instance listens on, with the member that owns it (for conflict checks). */
export function instancePorts(instance: ResolvedInstance): { member: string; port: number }[] {
  return [
    ...instance.mongo.members.map((m) => ({ member: m.name, port: m.port })),
    { member: instance.mongo.gate.name, port: instance.mongo.gate.port },
    ...instance.redis.dataNodes.map((m) => ({ member: m.name, port: m.port })),
    ...instance.redis.sentinels.map((m) => ({ member: m.name, port: m.port })),
    ...instance.kafka.nodes.flatMap((n) => [
      { member: n.name, port: n.port },
      { member: n.name, port: n.controllerPort },
    ]),
    { member: 'sinks', port: instance.app.sinks.port },
    { member: 'sinks', port: instance.app.sinks.smtpPort },
    ...instance.app.services.map((m) => ({ member: m.name, port: m.port })),
    { member: 'gateway', port: instance.app.gateway.port },
    { member: 'gateway', port: instance.app.gateway.metricsPort },
    { member: 'ui', port: instance.app.ui.port },
    { member: FAULT_PROXY.name, port: instance.app.faultProxy.port },
    ...faultPointsOf(instance).map((p) => ({ member: FAULT_PROXY.name, port: p.listenPort })),
  ];
}

/** A declared place for a fault proxy: clients dial `listenPort`, the proxy forwards to `port`. */
export interface FaultPointSpec {
  component: 'mongo' | 'redis' | 'kafka';
  member: string;
  host: string;
  port: number;
  listenPort: number;
}

/** The instance's fault points (FAULT_PROXY): one in front of every data-tier member. */
export function faultPointsOf(instance: ResolvedInstance): FaultPointSpec[] {
  const point = (component: FaultPointSpec['component'], m: { name: string; port: number }) => ({
    component,
    member: m.name,
    host: instance.host,
    port: m.port,
    listenPort: m.port + FAULT_PROXY.portOffset,
  });
  return [
    ...instance.mongo.members.map((m) => point('mongo', m)),
    ...[...instance.redis.dataNodes, ...instance.redis.sentinels].map((m) => point('redis', m)),
    ...instance.kafka.nodes.map((m) => point('kafka', m)),
  ];
}
