import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { capturedLogger } from '../testing/captured-logger.ts';
import {
  compileMatch,
  defineFaultSwitch,
  FaultSwitches,
  isExemptPath,
  mergeGiven,
  STALL_CHECK_MS,
  type RequestMatcher,
} from './catalogue.ts';

const matcher = (match: string): RequestMatcher => {
  const compiled = compileMatch(match);
  if (typeof compiled === 'string') throw new Error(compiled);
  return compiled;
};

/** A service-specific switch, as the order service adds its payment switch. */
const EXTRA = defineFaultSwitch<{ rate: number }, { rate?: number }>({
  name: 'extra',
  scope: 'test',
  description: 'a switch of one service',
  fields: { rate: 'a share, 0 to 1' },
  change: z.strictObject({ rate: z.number().min(0).max(1).optional() }),
  apply: (current, change) => mergeGiven(current, change),
  off: { rate: 0 },
  isOn: (value) => value.rate > 0,
  example: { rate: 0.5 },
});

function switches() {
  const { logger, lines } = capturedLogger('test', 'info');
  const faults = new FaultSwitches('test', logger);
  const extra = faults.add(EXTRA);
  const logged = () => lines.map((l) => JSON.parse(l) as { msg: string; faults?: unknown });
  return { faults, extra, logged };
}

/** The message of the 400 a change gets. */
function refusal(faults: FaultSwitches, body: unknown): AppError {
  try {
    faults.change(body);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`${JSON.stringify(body)} was accepted`);
}

describe('the matching rule of the routes switch', () => {
  it('when a rule is "METHOD PATH", then it matches that method and exactly that path (a trailing slash and case aside)', () => {
    const placeOrder = matcher('POST /api/orders');
    expect(placeOrder('POST', '/api/orders')).toBe(true);
    expect(placeOrder('post', '/api/orders/')).toBe(true);
    expect(placeOrder('POST', '/API/Orders')).toBe(true);
    expect(placeOrder('GET', '/api/orders')).toBe(false);
    expect(placeOrder('POST', '/api/orders/1/payment')).toBe(false);
    expect(placeOrder('POST', '/api/ordersx')).toBe(false);
  });

  it('when a path ends in /*, then it is a prefix by whole segments', () => {
    const products = matcher('GET /api/products/*');
    expect(products('GET', '/api/products')).toBe(true);
    expect(products('GET', '/api/products/p1')).toBe(true);
    expect(products('GET', '/api/products/p1/inventory')).toBe(true);
    expect(products('GET', '/api/productsx')).toBe(false);
    expect(products('PATCH', '/api/products/p1/inventory')).toBe(false);
  });

  it('when a segment is :name, then it stands for any one segment, as in the route patterns', () => {
    const pay = matcher('POST /api/orders/:id/payment');
    expect(pay('POST', '/api/orders/0b0e6a4e-8a4e-4c1e-9d0a-5c1f0f1e2d3c/payment')).toBe(true);
    expect(pay('POST', '/api/orders/a/b/payment')).toBe(false);
    expect(pay('POST', '/api/orders//payment')).toBe(false);
  });

  it('when the method is left out or *, then any method matches; a GET rule matches HEAD too', () => {
    expect(matcher('/api/orders')('DELETE', '/api/orders')).toBe(true);
    expect(matcher('* /api/orders')('PATCH', '/api/orders')).toBe(true);
    expect(matcher('GET /api/products')('HEAD', '/api/products')).toBe(true);
    expect(matcher('HEAD /api/products')('GET', '/api/products')).toBe(false);
  });

  it('when the rule is *, then every request matches but the probes, the metrics, the document and /internal', () => {
    const all = matcher('*');
    expect(all('POST', '/api/orders')).toBe(true);
    expect(all('GET', '/anything/else')).toBe(true);
    for (const path of ['/health', '/ready', '/metrics', '/openapi.json', '/internal', '/internal/faults']) {
      expect(all('GET', path), path).toBe(false);
      expect(isExemptPath(path), path).toBe(true);
    }
    expect(isExemptPath('/INTERNAL/faults/')).toBe(true);
    expect(matcher('/*')('GET', '/internal/reservations')).toBe(false);
    expect(matcher('/:any')('GET', '/health')).toBe(false);
  });

  it('when a match is not a rule, then the reason says how to write one', () => {
    expect(compileMatch('FETCH /api/orders')).toMatch(/"FETCH" is not a method: use GET, HEAD, POST/);
    expect(compileMatch('GET api/orders')).toMatch(/must start with \//);
    expect(compileMatch('GET /api/*/orders')).toMatch(/may only end it/);
    expect(compileMatch('GET /api/orders?x=1')).toMatch(/"orders\?x=1" is not a path segment/);
    expect(compileMatch('GET /api/orders extra')).toMatch(/"\*", "PATH" or "METHOD PATH"/);
    expect(compileMatch('GET /internal/faults')).toMatch(/never affected/);
    expect(compileMatch('/health')).toMatch(/never affected/);
  });
});

describe('changing the switches', () => {
  it('when nothing was changed, then every switch is off, with its off value', () => {
    const { faults } = switches();
    expect(faults.state()).toEqual({
      service: 'test',
      active: [],
      switches: { routes: [], consumers: { stalled: false, topics: [] }, extra: { rate: 0 } },
    });
  });

  it('when a change names some switches, then only those change, each answered with its whole new value', () => {
    const { faults, extra } = switches();
    expect(
      faults.change({ routes: [{ match: 'POST /api/orders', errorRate: 0.5 }], extra: { rate: 1 } }),
    ).toEqual({
      routes: [{ match: 'POST /api/orders', latencyMs: 0, jitterMs: 0, errorRate: 0.5 }],
      extra: { rate: 1 },
    });
    expect(extra.value).toEqual({ rate: 1 });
    expect(faults.change({ consumers: { stalled: true } })).toEqual({
      consumers: { stalled: true, topics: [] },
    });
    expect(faults.state().active).toEqual(['routes', 'consumers', 'extra']);
    expect(faults.onOff()).toEqual({ routes: true, consumers: true, extra: true });
  });

  it('when an object switch changes, then the fields left out keep their values; the routes list is replaced whole', () => {
    const { faults } = switches();
    faults.change({ consumers: { stalled: true, topics: ['order-events'] } });
    expect(faults.change({ consumers: { stalled: false } })).toEqual({
      consumers: { stalled: false, topics: ['order-events'] },
    });
    faults.change({
      routes: [
        { match: '*', latencyMs: 10 },
        { match: 'GET /api/products', errorRate: 1 },
      ],
    });
    expect(faults.change({ routes: [{ match: '*', latencyMs: 20 }] }).routes).toHaveLength(1);
    expect(faults.change({ routes: [] })).toEqual({ routes: [] });
    expect(faults.active()).toEqual([]);
  });

  it('when everything is reset, then every switch is off, and a second reset changes nothing (idempotent)', () => {
    const { faults, extra, logged } = switches();
    faults.change({
      routes: [{ match: '*', errorRate: 1 }],
      consumers: { stalled: true },
      extra: { rate: 0.3 },
    });
    const off = faults.reset();
    expect(off).toEqual({
      service: 'test',
      active: [],
      switches: { routes: [], consumers: { stalled: false, topics: [] }, extra: { rate: 0 } },
    });
    expect(extra.value).toEqual({ rate: 0 });
    expect(faults.reset()).toEqual(off);
    expect(logged().filter((l) => l.msg.startsWith('fault switches reset'))).toHaveLength(1);
  });

  it('when a switch changes, then one info line says what changed, from what to what, and what is on', () => {
    const { faults, logged } = switches();
    faults.change({ extra: { rate: 0.5 } });
    faults.change({ extra: { rate: 0.5 } }); // the same value again: nothing changed, nothing logged
    faults.reset();
    expect(logged()).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'fault switches changed: extra',
        faults: { changed: { extra: { from: { rate: 0 }, to: { rate: 0.5 } } }, active: ['extra'] },
      }),
      expect.objectContaining({
        level: 30,
        msg: 'fault switches reset: extra',
        faults: { changed: { extra: { from: { rate: 0.5 }, to: { rate: 0 } } }, active: [] },
      }),
    ]);
  });

  it('when a switch is added that is on at boot, then that is logged; a name is added once only', () => {
    const { logger, lines } = capturedLogger('test', 'info');
    const faults = new FaultSwitches('test', logger);
    faults.add(EXTRA, { rate: 0.2 });
    expect(faults.active()).toEqual(['extra']);
    expect(lines.join('')).toContain('fault switch extra is on at boot');
    expect(() => faults.add(EXTRA)).toThrow(/already has a fault switch named extra/);
  });
});

describe('the 400 of a bad change', () => {
  it('when a switch is unknown, then the message names it and lists the valid switches', () => {
    const { faults } = switches();
    const error = refusal(faults, { route: [], latency: 5 });
    expect(error.status).toBe(400);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toBe(
      'unknown fault switch "route", "latency" (the fault switches of the test service: routes, consumers, extra)',
    );
  });

  it('when a value is out of range or of the wrong type, then the message names the field, its meaning and the switches', () => {
    const { faults } = switches();
    expect(refusal(faults, { routes: [{ match: '*', errorRate: 2 }] }).message).toBe(
      'routes[0].errorRate: Too big: expected number to be <=1 (errorRate: share of matching requests answered 503 instead of being handled, 0 to 1) (the fault switches of the test service: routes, consumers, extra)',
    );
    expect(refusal(faults, { extra: { rate: 'half' } }).message).toMatch(
      /^extra\.rate: Invalid input: expected number, received string \(rate: a share, 0 to 1\)/,
    );
    expect(refusal(faults, { consumers: { stalled: true, topics: ['orders'] } }).message).toMatch(
      /^consumers\.topics\[0\]: Invalid option: expected one of "user-events"\|"order-events"/,
    );
    expect(refusal(faults, { routes: [{ match: 'GET /api/orders', latencyMs: 1.5 }] }).details).toEqual([
      {
        path: 'routes.0.latencyMs',
        message: expect.stringMatching(/^routes\[0\]\.latencyMs: Invalid input/),
      },
    ]);
  });

  it('when a field is unknown, then the message lists the fields of that switch', () => {
    const { faults } = switches();
    expect(refusal(faults, { routes: [{ match: '*', latency: 100 }] }).message).toMatch(
      /^routes\[0\]: unknown field "latency"; its fields are match, latencyMs, jitterMs, errorRate/,
    );
    expect(refusal(faults, { consumers: { stall: true } }).message).toMatch(
      /^consumers: unknown field "stall"; its fields are stalled, topics/,
    );
  });

  it('when a rule does nothing or its match is not a rule, then the message says so', () => {
    const { faults } = switches();
    expect(refusal(faults, { routes: [{ match: 'POST /api/orders' }] }).message).toMatch(
      /^routes\[0\]: this rule does nothing: give it latencyMs, jitterMs or errorRate/,
    );
    expect(refusal(faults, { routes: [{ match: 'GET /health', errorRate: 1 }] }).message).toMatch(
      /^routes\[0\]\.match: \/health is never affected by faults/,
    );
  });

  it('when the body is no object or names no switch, then the message says what to send; nothing changes', () => {
    const { faults } = switches();
    expect(refusal(faults, undefined).message).toMatch(/^the body must be a JSON object naming the switches/);
    expect(refusal(faults, []).message).toMatch(/^the body must be a JSON object/);
    expect(refusal(faults, {}).message).toBe(
      'name at least one fault switch to change; the switches of the test service are routes, consumers, extra',
    );
    refusal(faults, { extra: { rate: 1 }, routes: [{ match: '*' }] });
    expect(faults.active()).toEqual([]);
  });
});

describe('a stalled consumer', () => {
  const running = (isRunning = () => true) => {
    let heartbeats = 0;
    return {
      consumer: {
        isRunning,
        heartbeat: async () => {
          heartbeats++;
        },
      },
      heartbeats: () => heartbeats,
    };
  };
  const settled = async <T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> =>
    Promise.race([promise, new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);

  it('when the consumers switch is off, then a message goes at once', async () => {
    const { faults } = switches();
    expect(await settled(faults.whileStalled('order-events', running().consumer), 5)).toBe(true);
  });

  it('when it is stalled, then the message waits, heartbeating, until the switch is turned off, and goes at once then', async () => {
    const { faults } = switches();
    faults.change({ consumers: { stalled: true } });
    const { consumer, heartbeats } = running();
    const waiting = faults.whileStalled('order-events', consumer);
    expect(await settled(waiting, 3 * STALL_CHECK_MS)).toBe('pending');
    expect(heartbeats()).toBeGreaterThanOrEqual(3);
    const cleared = Date.now();
    faults.change({ consumers: { stalled: false } });
    expect(await waiting).toBe(true);
    expect(Date.now() - cleared).toBeLessThan(50); // woken by the change, not by the next check
  });

  it('when everything is reset, then a stalled message goes too', async () => {
    const { faults } = switches();
    faults.change({ consumers: { stalled: true } });
    const waiting = faults.whileStalled('user-events', running().consumer);
    expect(await settled(waiting, 20)).toBe('pending');
    faults.reset();
    expect(await waiting).toBe(true);
  });

  it('when only some topics stall, then the others go at once', async () => {
    const { faults } = switches();
    faults.change({ consumers: { stalled: true, topics: ['order-events'] } });
    expect(await settled(faults.whileStalled('user-events', running().consumer), 5)).toBe(true);
    expect(await settled(faults.whileStalled('order-events', running().consumer), 20)).toBe('pending');
    expect(faults.stalls('order-events')).toBe(true);
    expect(faults.stalls('analytics-events')).toBe(false);
    faults.reset();
  });

  it('when the consumer stops while stalled, then the wait ends within a check, false: the message is left, never handled', async () => {
    const { faults } = switches();
    faults.change({ consumers: { stalled: true } });
    let stopped = false;
    const waiting = faults.whileStalled('order-events', running(() => !stopped).consumer);
    expect(await settled(waiting, 20)).toBe('pending');
    const stopping = Date.now();
    stopped = true;
    expect(await waiting).toBe(false);
    expect(Date.now() - stopping).toBeLessThanOrEqual(STALL_CHECK_MS + 200);
    expect(faults.consumers.stalled).toBe(true);
    faults.reset();
  });
});
