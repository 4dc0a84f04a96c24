import { INTERNAL_API_KEY_HEADER, SERVICE_NAMES } from '@stackdrill/facts';
import type { Provider } from '@stackdrill/stack';
import { z } from 'zod';
import type { FaultKind } from './fault-kind.ts';

/**
 * Application faults: the services' own fault switches (the kit's catalogue, docs/api.md), set on
 * `PUT /internal/faults` of the member with the stack's service API key, and set back to off on
 * revert (only the switch this fault set, so two faults on one service do not undo each other).
 */
async function setSwitch(provider: Provider, member: string, change: Record<string, unknown>): Promise<void> {
  const url = provider.endpoints('host').app.services[member];
  const key = provider.appSecrets()?.internalApiKey;
  if (!url || !key)
    throw new Error(`${member} has no service URL or the stack has no API key (is the app up?)`);
  const response = await fetch(`${url}/internal/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', [INTERNAL_API_KEY_HEADER]: key },
    body: JSON.stringify(change),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok)
    throw new Error(`${member} refused the fault switch: ${response.status} ${await response.text()}`);
}

const services = ['app'] as const;
const notAService = (member: string) => !(SERVICE_NAMES as readonly string[]).includes(member);
const match = z.string().min(1).max(200).default('*');

export const routeLatency: FaultKind = {
  name: 'route-latency',
  layer: 'application',
  summary:
    "add latency (± jitter) to the service's requests that match (`*`, `PATH` or `METHOD PATH`; docs/api.md)",
  params: z.strictObject({
    latencyMs: z.number().int().min(1).max(60_000).default(500),
    jitterMs: z.number().int().min(0).max(60_000).default(0),
    match,
  }),
  components: services,
  appliesTo: SERVICE_NAMES.join(', '),
  excludesMember: notAService,
  inject: (provider, _handle, member, p) =>
    setSwitch(provider, member, {
      routes: [{ match: p.match, latencyMs: p.latencyMs, jitterMs: p.jitterMs }],
    }),
  revert: (provider, _handle, member) => setSwitch(provider, member, { routes: [] }),
};

export const routeErrors: FaultKind = {
  name: 'route-errors',
  layer: 'application',
  summary: 'answer a share of the matching requests with 503 FAULT_INJECTED',
  params: z.strictObject({ errorRate: z.number().min(0).max(1).default(0.5), match }),
  components: services,
  appliesTo: SERVICE_NAMES.join(', '),
  excludesMember: notAService,
  inject: (provider, _handle, member, p) =>
    setSwitch(provider, member, { routes: [{ match: p.match, errorRate: p.errorRate }] }),
  revert: (provider, _handle, member) => setSwitch(provider, member, { routes: [] }),
};

export const consumerStall: FaultKind = {
  name: 'consumer-stall',
  layer: 'application',
  summary: "stall the service's event consumer (every topic, or `topic`): lag builds up, then drains",
  params: z.strictObject({ topic: z.string().optional() }),
  components: services,
  appliesTo: 'notification, analytics (the services that consume events)',
  excludesMember: (member) => member !== 'notification' && member !== 'analytics',
  inject: (provider, _handle, member, p) =>
    setSwitch(provider, member, { consumers: { stalled: true, topics: p.topic ? [p.topic] : [] } }),
  revert: (provider, _handle, member) =>
    setSwitch(provider, member, { consumers: { stalled: false, topics: [] } }),
};

export const paymentFailures: FaultKind = {
  name: 'payment-failures',
  layer: 'application',
  summary: 'the simulated payment provider declines a share of charges (and may add latency)',
  params: z.strictObject({
    failureRate: z.number().min(0).max(1).default(0.5),
    latencyMs: z.number().int().min(0).max(60_000).default(0),
  }),
  components: services,
  appliesTo: 'order',
  excludesMember: (member) => member !== 'order',
  inject: (provider, _handle, member, p) => setSwitch(provider, member, { payment: p }),
  revert: (provider, _handle, member) =>
    setSwitch(provider, member, { payment: { failureRate: 0, latencyMs: 0 } }),
};
