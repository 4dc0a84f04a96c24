/**
 * An address map: `from=to,from=to`, each side `host:port`. Where a cluster hands out its members'
 * own addresses (Sentinel names the master, Kafka's metadata names the brokers) and this client must
 * reach them elsewhere (through the fault proxy, a NAT, a tunnel), the map rewrites each address it
 * names before connecting. Empty: every address as handed out.
 */
export type AddressMap = Record<string, { host: string; port: number }>;

export function parseAddressMap(text: string): AddressMap {
  const map: AddressMap = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [from, to] = entry.split('=');
    const target = /^([^:\s]+):(\d+)$/.exec(to ?? '');
    if (!from || !/^[^:\s]+:\d+$/.test(from) || !target)
      throw new Error(`"${entry}" is not from=to with host:port on each side`);
    map[from] = { host: target[1]!, port: Number(target[2]) };
  }
  return map;
}

export function renderAddressMap(map: AddressMap): string {
  return Object.entries(map)
    .map(([from, to]) => `${from}=${to.host}:${to.port}`)
    .join(',');
}
