import { describe, expect, it } from 'vitest';
import { instancePorts, resolveInstance } from './instance.ts';
import { DATA_TIER, ENVIRONMENTS, INSTANCES, KAFKA_TOPICS, SIZES, type InstanceName } from './topology.ts';

const instances = Object.keys(INSTANCES) as InstanceName[];

describe('topology', () => {
  it('when an instance is resolved, then every port is distinct', () => {
    for (const name of instances) {
      const ports = instancePorts(resolveInstance(name)).map((p) => p.port);
      expect(new Set(ports).size, name).toBe(ports.length);
    }
  });

  it('when instances run side by side, then no two share a port', () => {
    const all = instances.flatMap((name) => instancePorts(resolveInstance(name)).map((p) => p.port));
    expect(new Set(all).size).toBe(all.length);
  });

  it('when instances are resolved, then every port is below the ephemeral range', () => {
    // Linux hands out 32768-60999 to outgoing connections: a listener there can find its port taken.
    for (const name of instances)
      for (const { member, port } of instancePorts(resolveInstance(name)))
        expect(port, `${name}: ${member}`).toBeLessThan(32768);
  });

  it('when an instance names a DR region, then it is another instance configured as it is', () => {
    for (const name of instances) {
      const region = INSTANCES[name].drRegion;
      if (!region) continue;
      expect(instances, name).toContain(region);
      expect(region).not.toBe(name);
      expect(INSTANCES[region].testSwitches).toBe(INSTANCES[name].testSwitches);
      expect(INSTANCES[region].rateLimits).toEqual(INSTANCES[name].rateLimits);
    }
  });

  it('when instances are resolved, then no port is one that fetch clients and browsers block', () => {
    // The Fetch standard's "bad ports" above 1024 (https://fetch.spec.whatwg.org/#port-blocking).
    const blocked = new Set([
      1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679,
      6697, 10080,
    ]);
    for (const name of instances) {
      for (const { member, port } of instancePorts(resolveInstance(name))) {
        expect(blocked.has(port), `${name}: ${member} on ${port}`).toBe(false);
      }
    }
  });

  it('when an instance has an offset, then every port moves by it', () => {
    const dev = resolveInstance('dev');
    const test = resolveInstance('test');
    expect(test.redis.sentinels[0]!.port - dev.redis.sentinels[0]!.port).toBe(INSTANCES.test.portOffset);
    expect(test.kafka.nodes[2]!.controllerPort - dev.kafka.nodes[2]!.controllerPort).toBe(
      INSTANCES.test.portOffset,
    );
  });

  it('when read, then it holds the HA shape of the architecture document', () => {
    expect(DATA_TIER.mongo.members).toHaveLength(3);
    expect(DATA_TIER.redis.dataNodes).toHaveLength(3);
    expect(DATA_TIER.redis.sentinels).toHaveLength(3);
    expect(DATA_TIER.redis.quorum).toBe(2);
    expect(DATA_TIER.kafka.nodes).toHaveLength(3);
    expect(DATA_TIER.kafka.replicationFactor).toBe(3);
    expect(DATA_TIER.kafka.minInsyncReplicas).toBe(2);
    expect([...KAFKA_TOPICS]).toEqual([
      'user-events',
      'order-events',
      'notification-events',
      'analytics-events',
    ]);
  });

  it('when sizes are read per environment, then they are the architecture document numbers', () => {
    const pick = (f: (e: (typeof SIZES)['DEV']) => unknown) =>
      ENVIRONMENTS.filter((e) => e !== 'LOCAL').map((e) => f(SIZES[e]));
    expect(pick((s) => s.frontend.replicas)).toEqual([3, 3, 5, 10]);
    expect(pick((s) => s.backend.replicas)).toEqual([2, 2, 3, 5]);
    expect(pick((s) => s.redis.replicas)).toEqual([1, 1, 2, 3]);
    expect(pick((s) => s.mongo.storage)).toEqual(['20Gi', '20Gi', '100Gi', '500Gi']);
    expect(pick((s) => s.redis.storage)).toEqual(['5Gi', '5Gi', '20Gi', '50Gi']);
    expect(pick((s) => s.kafka.storage)).toEqual(['50Gi', '50Gi', '200Gi', '500Gi']);
    expect(pick((s) => [s.frontend.autoscaling?.min, s.frontend.autoscaling?.max])).toEqual([
      [3, 10],
      [3, 10],
      [5, 20],
      [5, 20],
    ]);
    expect(SIZES.PROD.backend.resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '500m', memory: '512Mi' },
    });
  });
});
