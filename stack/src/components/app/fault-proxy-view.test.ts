import { describe, expect, it } from 'vitest';
import type { Endpoints, FaultPoint } from '../handle.ts';
import { throughFaultProxy } from './fault-proxy-view.ts';

const point = (component: FaultPoint['component'], member: string, port: number): FaultPoint => ({
  component,
  member,
  listen: { host: '127.0.0.1', port: port + 400 },
  upstream: { host: '127.0.0.1', port },
});

const endpoints: Omit<Endpoints, 'app'> = {
  mongo: {
    uri: 'mongodb://127.0.0.1:28017/?replicaSet=rs0&w=majority',
    replicaSet: 'rs0',
    members: ['127.0.0.1:28017'],
  },
  redis: {
    masterName: 'stackdrill',
    sentinels: [{ host: '127.0.0.1', port: 27379 }],
    dataNodes: ['127.0.0.1:7379', '127.0.0.1:7380'],
  },
  kafka: { brokers: ['127.0.0.1:10092', '127.0.0.1:10093'], topics: ['order-events'] },
};
const points = [
  point('mongo', 'mongo-0', 28017),
  point('redis', 'redis-0', 7379),
  point('redis', 'redis-1', 7380),
  point('redis', 'sentinel-0', 27379),
  point('kafka', 'kafka-0', 10092),
  point('kafka', 'kafka-1', 10093),
];

describe('the data tier through the fault proxy', () => {
  it('when the endpoints go through the proxy, then clients dial the proxies and map what the clusters hand out', () => {
    const via = throughFaultProxy(endpoints, points);
    expect(via.mongo.uri).toBe('mongodb://127.0.0.1:28417/?w=majority&directConnection=true');
    expect(via.redis.sentinels).toEqual([{ host: '127.0.0.1', port: 27779 }]);
    expect(via.redis.natMap).toEqual({
      '127.0.0.1:7379': { host: '127.0.0.1', port: 7779 },
      '127.0.0.1:7380': { host: '127.0.0.1', port: 7780 },
      '127.0.0.1:27379': { host: '127.0.0.1', port: 27779 },
    });
    expect(via.kafka.brokers).toEqual(['127.0.0.1:10492', '127.0.0.1:10493']);
    expect(via.kafka.addressMap?.['127.0.0.1:10093']).toEqual({ host: '127.0.0.1', port: 10493 });
  });

  it('when MongoDB is a replica set of several members, then its URI stays as it is (no address map in its driver)', () => {
    const set = {
      ...endpoints,
      mongo: { ...endpoints.mongo, members: ['127.0.0.1:28017', '127.0.0.1:28018'] },
    };
    expect(throughFaultProxy(set, points).mongo).toEqual(set.mongo);
  });
});
