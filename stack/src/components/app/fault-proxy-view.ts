import type { Endpoints, FaultPoint } from '../handle.ts';

type DataEndpoints = Omit<Endpoints, 'app'>;

/**
 * The data tier as the app reaches it: through the fault proxy's listeners (the fault points), so
 * that a network fault on a member's proxy sits between the services and that member. The clusters
 * hand out their members' own addresses (Sentinel names the master, Kafka's metadata the brokers),
 * so the clients get a map from those to the proxies. MongoDB: a single member (the FerretDB
 * stand-in) is reached directly through its proxy; a replica set keeps its members' own addresses
 * (its driver has no address map: putting it behind the proxy means initiating the set with the
 * proxies' addresses, which is not built yet), so network faults reach it only through a freeze.
 */
export function throughFaultProxy(endpoints: DataEndpoints, points: FaultPoint[]): DataEndpoints {
  const key = (a: { host: string; port: number }) => `${a.host}:${a.port}`;
  const proxyOf = new Map(points.map((p) => [key(p.upstream), p.listen]));
  const via = (address: string) => {
    const to = proxyOf.get(address);
    return to ? key(to) : address;
  };
  const mapOf = (addresses: string[]) =>
    Object.fromEntries(addresses.filter((a) => proxyOf.has(a)).map((a) => [a, proxyOf.get(a)!]));

  const sentinels = endpoints.redis.sentinels.map((s) => proxyOf.get(key(s)) ?? s);
  const redisAddresses = [...endpoints.redis.dataNodes, ...endpoints.redis.sentinels.map(key)];
  return {
    mongo: throughProxyMongo(endpoints.mongo, via),
    redis: { ...endpoints.redis, sentinels, natMap: mapOf(redisAddresses) },
    kafka: {
      ...endpoints.kafka,
      brokers: endpoints.kafka.brokers.map(via),
      addressMap: mapOf(endpoints.kafka.brokers),
    },
  };
}

function throughProxyMongo(mongo: Endpoints['mongo'], via: (address: string) => string): Endpoints['mongo'] {
  if (mongo.members.length !== 1) return mongo;
  const url = new URL(mongo.uri);
  const member = via(mongo.members[0]!);
  // One member, reached at another address than the one it calls itself: a direct connection, or
  // the driver would find the member's own address in its `hello` and go there instead.
  url.host = member;
  url.searchParams.delete('replicaSet');
  url.searchParams.set('directConnection', 'true');
  return { ...mongo, uri: url.toString(), members: [member] };
}
