import { describe, expect, it } from 'vitest';
import { newClusterId, renderServerProperties } from './kafka-config.ts';

describe('kafka server.properties', () => {
  const props = renderServerProperties({
    host: '127.0.0.1',
    nodeId: 2,
    port: 9093,
    controllerPort: 29093,
    dataDir: '/data',
    voters: ['1@127.0.0.1:29092', '2@127.0.0.1:29093', '3@127.0.0.1:29094'],
    replicationFactor: 3,
    minInsyncReplicas: 2,
    partitionsPerTopic: 3,
  });
  const value = (key: string) => new RegExp(`^${key.replace(/\./g, '\\.')}=(.*)$`, 'm').exec(props)?.[1];

  it('when rendered, then the node is a KRaft broker and controller in a 3-voter quorum', () => {
    expect(value('process.roles')).toBe('broker,controller');
    expect(value('node.id')).toBe('2');
    expect(value('controller.quorum.voters')).toBe('1@127.0.0.1:29092,2@127.0.0.1:29093,3@127.0.0.1:29094');
    expect(value('listeners')).toBe('PLAINTEXT://127.0.0.1:9093,CONTROLLER://127.0.0.1:29093');
    expect(value('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:9093');
  });

  it('when rendered, then durability settings hold: RF 3, min ISR 2, no unclean election, no auto-create', () => {
    expect(value('default.replication.factor')).toBe('3');
    expect(value('min.insync.replicas')).toBe('2');
    expect(value('offsets.topic.replication.factor')).toBe('3');
    expect(value('unclean.leader.election.enable')).toBe('false');
    expect(value('auto.create.topics.enable')).toBe('false');
  });
});

describe('kafka cluster id', () => {
  it('when the random bytes encode to a leading "-", then another id is drawn', () => {
    const draws = [Buffer.from([0xf8, ...new Array<number>(15).fill(1)]), Buffer.alloc(16, 7)];
    expect(draws[0]!.toString('base64url').startsWith('-')).toBe(true);
    const id = newClusterId(() => draws.shift()!);
    expect(id).toBe(Buffer.alloc(16, 7).toString('base64url'));
    expect(id).toHaveLength(22);
  });
});
