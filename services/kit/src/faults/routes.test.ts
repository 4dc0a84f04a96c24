import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Api } from '../http/api.ts';
import { serviceRoutes } from '../runtime.ts';
import { Service, type BoundAddress } from '../service.ts';
import { capturedLogger } from '../testing/captured-logger.ts';
import { defineFaultSwitch, FaultSwitches, mergeGiven } from './catalogue.ts';

const KEY = 'fault-test-api-key-0123456789abcdef0123';

/** A switch of one service's own, as the order service adds `payment`. */
const DISK = defineFaultSwitch<{ fullRate: number }, { fullRate?: number }>({
  name: 'disk',
  scope: 'shop',
  description: 'writes fail as if the disk were full',
  fields: { fullRate: 'share of writes refused, 0 to 1' },
  change: z.strictObject({ fullRate: z.number().min(0).max(1).optional() }),
  apply: (current, change) => mergeGiven(current, change),
  off: { fullRate: 0 },
  isOn: (value) => value.fullRate > 0,
  example: { fullRate: 1 },
});

let service: Service;
let address: BoundAddress;
let lines: string[];

beforeEach(async () => {
  const captured = capturedLogger('shop', 'info');
  lines = captured.lines;
  const faults = new FaultSwitches('shop', captured.logger);
  faults.add(DISK);
  const api = new Api({ title: 'shop', version: '1.0.0' });
  service = new Service({
    name: 'shop',
    logger: captured.logger,
    routes: serviceRoutes(api, { internalApiKey: KEY, faults }),
    faults,
    readiness: {},
  });
  address = await service.start(0);
});

afterEach(async () => {
  await service.stop();
});

type Json = Record<string, unknown>;
/** A call to /internal/faults, with the API key unless `key` is null. */
async function faultsCall(method: string, body?: unknown, key: string | null = KEY) {
  const response = await fetch(`${address.url}/internal/faults`, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Json };
}

const gauge = async (name: string) =>
  (await (await fetch(`${address.url}/metrics`)).text())
    .split('\n')
    .find((line) => line.startsWith(`stackdrill_fault_active{switch="${name}"`));

const OFF = {
  service: 'shop',
  active: [],
  switches: { routes: [], consumers: { stalled: false, topics: [] }, disk: { fullRate: 0 } },
};

describe('/internal/faults', () => {
  it('when called without the service API key, or with another, then 401 and nothing changes', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const body = method === 'PUT' ? { disk: { fullRate: 1 } } : undefined;
      expect((await faultsCall(method, body, null)).status, method).toBe(401);
    }
    expect((await faultsCall('PUT', { disk: { fullRate: 1 } }, 'x'.repeat(KEY.length))).body.code).toBe(
      'INVALID_API_KEY',
    );
    expect((await faultsCall('GET')).body).toEqual(OFF);
  });

  it('when read, then every switch of the service is listed with its value, none active', async () => {
    expect(await faultsCall('GET')).toMatchObject({ status: 200, body: OFF });
  });

  it('when changed, then only the named switches change, the answer is their new values, and GET shows them active', async () => {
    const put = await faultsCall('PUT', {
      routes: [{ match: 'GET /api/products/*', latencyMs: 200, jitterMs: 50 }],
      disk: { fullRate: 0.25 },
    });
    expect(put).toMatchObject({
      status: 200,
      body: {
        routes: [{ match: 'GET /api/products/*', latencyMs: 200, jitterMs: 50, errorRate: 0 }],
        disk: { fullRate: 0.25 },
      },
    });
    expect(Object.keys(put.body)).toEqual(['routes', 'disk']);
    expect((await faultsCall('PUT', { consumers: { stalled: true } })).body).toEqual({
      consumers: { stalled: true, topics: [] },
    });
    const { body } = await faultsCall('GET');
    expect(body.active).toEqual(['routes', 'consumers', 'disk']);
    expect((body.switches as Json).disk).toEqual({ fullRate: 0.25 });
  });

  it('when a change is bad, then 400 VALIDATION_FAILED with a message that lists the switches, and nothing changes', async () => {
    const unknown = await faultsCall('PUT', { disk: { fullRate: 1 }, network: { lossRate: 0.1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      message:
        'unknown fault switch "network" (the fault switches of the shop service: routes, consumers, disk)',
      details: [{ path: '', message: 'unknown fault switch "network"' }],
    });
    const outOfRange = await faultsCall('PUT', { disk: { fullRate: 1.5 } });
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.message).toMatch(
      /^disk\.fullRate: Too big: expected number to be <=1 \(fullRate: share/,
    );
    const notJson = await faultsCall('PUT', '{"disk": ');
    expect(notJson.status).toBe(400);
    expect(notJson.body.code).toBe('MALFORMED_JSON');
    const noSwitch = await faultsCall('PUT');
    expect(noSwitch.status).toBe(400);
    expect(noSwitch.body.message).toMatch(
      /^name at least one fault switch to change; the switches of the shop service are routes, consumers, disk/,
    );
    const notAnObject = await faultsCall('PUT', [{ disk: { fullRate: 1 } }]);
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body.message).toMatch(/^the body must be a JSON object naming the switches/);
    expect((await faultsCall('GET')).body).toEqual(OFF);
  });

  it('when deleted, then every switch is off; deleting again answers the same (idempotent)', async () => {
    await faultsCall('PUT', {
      routes: [{ match: '*', errorRate: 1 }],
      consumers: { stalled: true },
      disk: { fullRate: 1 },
    });
    expect(await faultsCall('DELETE')).toMatchObject({ status: 200, body: OFF });
    expect(await faultsCall('DELETE')).toMatchObject({ status: 200, body: OFF });
    expect((await faultsCall('GET')).body).toEqual(OFF);
  });

  it('when another method is used, then 405 with Allow', async () => {
    const post = await faultsCall('POST', { disk: { fullRate: 1 } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
  });

  it('when a switch goes on and off, then stackdrill_fault_active follows it', async () => {
    expect(await gauge('disk')).toBe('stackdrill_fault_active{switch="disk",service="shop"} 0');
    await faultsCall('PUT', { disk: { fullRate: 0.5 } });
    expect(await gauge('disk')).toBe('stackdrill_fault_active{switch="disk",service="shop"} 1');
    expect(await gauge('routes')).toBe('stackdrill_fault_active{switch="routes",service="shop"} 0');
    await faultsCall('DELETE');
    expect(await gauge('disk')).toBe('stackdrill_fault_active{switch="disk",service="shop"} 0');
  });

  it('when switches change, then each change is logged once at info, with what changed', async () => {
    await faultsCall('PUT', { disk: { fullRate: 0.5 } });
    await faultsCall('PUT', { disk: { fullRate: 5 } }); // refused: no change
    await faultsCall('DELETE');
    await faultsCall('DELETE'); // nothing was on: no change
    const changes = lines
      .map((line) => JSON.parse(line) as { level: number; msg: string; faults?: unknown })
      .filter((line) => line.msg.startsWith('fault switches'));
    expect(changes).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'fault switches changed: disk',
        faults: { changed: { disk: { from: { fullRate: 0 }, to: { fullRate: 0.5 } } }, active: ['disk'] },
      }),
      expect.objectContaining({ level: 30, msg: 'fault switches reset: disk' }),
    ]);
  });
});
