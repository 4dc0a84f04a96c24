import type { Provider } from '@stackdrill/stack';
import { Toxiproxy, type Proxy, type ToxicDirection, type ToxicType } from 'toxiproxy-node-client';
import { z } from 'zod';
import type { FaultKind } from './fault-kind.ts';

/**
 * Network faults between the app and one data-tier member, on the member's proxy in the stack's
 * fault proxy (Toxiproxy; the topology's fault points, through which the services reach the data
 * tier). The harness's own probes reach the members directly, so `stack:status` still sees the
 * member healthy: the fault is on the clients' path, as a network fault is.
 */
/** Why network faults cannot act on this stack: it runs without the fault proxy. */
function noFaultProxy(provider: Provider): string | undefined {
  if (provider.faultProxyApi()) return undefined;
  return (
    `the ${provider.instance} instance's app reaches the data tier directly (it was brought up with --no-fault-proxy); ` +
    `bring it up with the proxy: \`pnpm stack:down --instance ${provider.instance} && pnpm stack:up --instance ${provider.instance}\``
  );
}

async function proxyOf(provider: Provider, member: string): Promise<Proxy> {
  const api = provider.faultProxyApi();
  if (!api) throw new Error(noFaultProxy(provider));
  try {
    return await new Toxiproxy(api).get(member);
  } catch (error) {
    throw new Error(
      `the fault proxy at ${provider.faultProxyApi()} has no proxy for ${member} (is the app up? \`pnpm stack:status\`): ${(error as Error).message}`,
    );
  }
}

const isNotFound = (error: unknown) => /404|not found/i.test(String((error as Error)?.message ?? error));

/** The toxic's name: one per fault kind, so a repeated inject replaces it and the revert finds it. */
const toxicName = (fault: string) => `stackdrill-${fault}`;

async function removeToxic(proxy: Proxy, fault: string): Promise<void> {
  try {
    await (await proxy.getToxic(toxicName(fault))).remove();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** A fault that is one Toxiproxy toxic on the member's proxy, in one direction or both. */
function toxicFault<P extends Record<string, unknown>>(definition: {
  name: string;
  summary: string;
  params: z.ZodType<P>;
  type: ToxicType;
  attributes: (params: P) => Record<string, number>;
  directions: (params: P) => ToxicDirection[];
}): FaultKind<P> {
  return {
    name: definition.name,
    layer: 'network',
    summary: definition.summary,
    params: definition.params,
    components: ['mongo', 'redis', 'kafka'],
    appliesTo: 'data-tier members, on their fault proxy',
    unavailable: noFaultProxy,
    async inject(provider, _handle, member, params) {
      const proxy = await proxyOf(provider, member);
      for (const stream of definition.directions(params)) {
        const name = `${definition.name}-${stream}`;
        await removeToxic(proxy, name);
        await proxy.addToxic({
          name: toxicName(name),
          type: definition.type,
          stream,
          toxicity: 1,
          attributes: definition.attributes(params),
        });
      }
    },
    async revert(provider, _handle, member) {
      const proxy = await proxyOf(provider, member);
      for (const stream of ['upstream', 'downstream'] as const)
        await removeToxic(proxy, `${definition.name}-${stream}`);
    },
  };
}

const direction = z.enum(['downstream', 'upstream', 'both']);
const streams = (d: z.output<typeof direction>): ToxicDirection[] =>
  d === 'both' ? ['upstream', 'downstream'] : [d];

export const latency = toxicFault({
  name: 'latency',
  summary: "delay the member's traffic by latencyMs ± jitterMs (downstream: its answers; upstream; both)",
  params: z.strictObject({
    latencyMs: z.number().int().min(1).max(60_000).default(500),
    jitterMs: z.number().int().min(0).max(60_000).default(0),
    direction: direction.default('downstream'),
  }),
  type: 'latency',
  attributes: (p) => ({ latency: p.latencyMs, jitter: p.jitterMs }),
  directions: (p) => streams(p.direction),
});

export const bandwidth = toxicFault({
  name: 'bandwidth',
  summary: "limit the member's traffic to rateKBps kilobytes a second",
  params: z.strictObject({
    rateKBps: z.number().int().min(1).max(10_000_000).default(10),
    direction: direction.default('downstream'),
  }),
  type: 'bandwidth',
  attributes: (p) => ({ rate: p.rateKBps }),
  directions: (p) => streams(p.direction),
});

export const timeout = toxicFault({
  name: 'timeout',
  summary: 'stop every byte to and from the member and close each connection after timeoutMs',
  params: z.strictObject({ timeoutMs: z.number().int().min(1).max(600_000).default(1000) }),
  type: 'timeout',
  attributes: (p) => ({ timeout: p.timeoutMs }),
  directions: () => ['upstream'],
});

export const reset = toxicFault({
  name: 'reset',
  summary: "reset every connection to the member as data arrives (TCP RST: a crashed peer's signature)",
  params: z.strictObject({}),
  type: 'reset_peer',
  attributes: () => ({ timeout: 0 }),
  directions: () => ['upstream'],
});

/**
 * A partition: the member goes silent for its clients (bytes held, connections left open), as a
 * network partition looks to them, until the revert; unlike `cut`, nothing is refused.
 */
export const partition = toxicFault({
  name: 'partition',
  summary:
    'the member goes silent for the app: bytes held both ways, connections left hanging (no refusal, no reset)',
  params: z.strictObject({}),
  type: 'timeout',
  attributes: () => ({ timeout: 0 }),
  directions: () => ['upstream', 'downstream'],
});

/** The member's proxy disabled: its connections closed, new ones refused. */
export const cut: FaultKind = {
  name: 'cut',
  layer: 'network',
  summary: "cut the app off the member: its proxy's connections closed, new ones refused",
  params: z.strictObject({}),
  components: ['mongo', 'redis', 'kafka'],
  appliesTo: 'data-tier members, on their fault proxy',
  unavailable: noFaultProxy,
  async inject(provider, _handle, member) {
    const proxy = await proxyOf(provider, member);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
  },
  async revert(provider, _handle, member) {
    const proxy = await proxyOf(provider, member);
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
  },
};
