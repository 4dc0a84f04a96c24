import { readFile } from 'node:fs/promises';
import {
  Api,
  FaultSwitches,
  IDEMPOTENCY_SWITCH,
  KIT_FAULT_SWITCHES,
  Service,
  serviceRoutes,
  type AnyFaultSwitch,
  type BoundAddress,
} from '@stackdrill/kit';
import { capturedLogger } from '@stackdrill/kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrderFaults, PAYMENT_SWITCH } from './faults.ts';

const KEY = 'order-fault-test-key-0123456789abcdef0123';

// The order service's switches as its composition root sets them up (the kit's, plus payment at its
// boot value), served as the kit serves every service's.
let service: Service;
let address: BoundAddress;
let faults: OrderFaults;

beforeEach(async () => {
  const { logger } = capturedLogger('order', 'warn');
  const switches = new FaultSwitches('order', logger);
  faults = new OrderFaults(switches.add(PAYMENT_SWITCH, { failureRate: 0, latencyMs: 25 }));
  service = new Service({
    name: 'order',
    logger,
    routes: serviceRoutes(new Api({ title: 'order', version: '1.0.0' }), {
      internalApiKey: KEY,
      faults: switches,
    }),
    faults: switches,
  });
  address = await service.start(0);
});

afterEach(async () => {
  await service.stop();
});

const faultsCall = async (method: string, body?: unknown) => {
  const response = await fetch(`${address.url}/internal/faults`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('the payment fault switch', () => {
  it('when set as the load and integration tests set it, then PUT answers just the payment switch, the fields not given kept', async () => {
    expect(await faultsCall('PUT', { payment: { failureRate: 1 } })).toEqual({
      status: 200,
      body: { payment: { failureRate: 1, latencyMs: 25 } },
    });
    expect(faults.payment).toEqual({ failureRate: 1, latencyMs: 25 });
    expect(await faultsCall('PUT', { payment: { latencyMs: 1500 } })).toEqual({
      status: 200,
      body: { payment: { failureRate: 1, latencyMs: 1500 } },
    });
    expect(await faultsCall('PUT', { payment: { failureRate: 0 } })).toEqual({
      status: 200,
      body: { payment: { failureRate: 0, latencyMs: 1500 } },
    });
    expect(faults.payment).toEqual({ failureRate: 0, latencyMs: 1500 });
  });

  it('when read, then it is listed with the kit’s switches, on from its boot value; after DELETE it is off', async () => {
    expect((await faultsCall('GET')).body).toEqual({
      service: 'order',
      active: ['payment'],
      switches: {
        routes: [],
        consumers: { stalled: false, topics: [] },
        payment: { failureRate: 0, latencyMs: 25 },
      },
    });
    await faultsCall('DELETE');
    expect(faults.payment).toEqual({ failureRate: 0, latencyMs: 0 });
  });

  it('when a value is bad, then 400 naming the field and every switch of the order service', async () => {
    const bad = await faultsCall('PUT', { payment: { failureRate: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe(
      'payment.failureRate: Too big: expected number to be <=1 (failureRate: share of charges declined, 0 to 1) (the fault switches of the order service: routes, consumers, payment)',
    );
    expect((await faultsCall('PUT', { payment: { declineRate: 1 } })).body.message).toMatch(
      /^payment: unknown field "declineRate"; its fields are failureRate, latencyMs/,
    );
  });
});

describe('docs/api.md', () => {
  // The order service has every switch there is: the kit's and its own.
  const ALL: readonly AnyFaultSwitch[] = [
    ...KIT_FAULT_SWITCHES,
    IDEMPOTENCY_SWITCH as unknown as AnyFaultSwitch,
    PAYMENT_SWITCH as unknown as AnyFaultSwitch,
  ];

  it('when the fault switches are documented, then each has its section, description, fields and a working example', async () => {
    const doc = await readFile(new URL('../../../../docs/api.md', import.meta.url), 'utf8');
    const { logger } = capturedLogger('order', 'warn');
    const switches = new FaultSwitches('order', logger);
    switches.add(PAYMENT_SWITCH);
    switches.add(IDEMPOTENCY_SWITCH);
    for (const definition of ALL) {
      const { name } = definition;
      expect(doc, name).toContain(`### \`${name}\` (${definition.scope})`);
      expect(doc, name).toContain(definition.description);
      for (const [field, meaning] of Object.entries(definition.fields)) {
        expect(doc, `${name}.${field}`).toMatch(new RegExp(`\\| \`${field}\` +\\| ${escape(meaning)} +\\|`));
      }
      const example = JSON.stringify({ [name]: definition.example });
      expect(doc, name).toContain(`-d '${example}'`);
      expect(() => switches.change(JSON.parse(example))).not.toThrow();
    }
  });
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
