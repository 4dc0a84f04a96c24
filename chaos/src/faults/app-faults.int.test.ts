import { INTERNAL_API_KEY_HEADER } from '@stackdrill/facts';
import { openProvider, type Provider } from '@stackdrill/stack';
import { UsageError } from '@stackdrill/toolkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revertLeftovers, runFault } from '../run-fault.ts';
import { chaosCli, seen, whileInPlace } from '../testing/fault-tests.ts';

/**
 * The application faults against the real `test` stack: each is seen through the gateway (or the
 * service's own switch state) while it holds, and gone after the revert, also after a Ctrl-C.
 */
let provider: Provider;
let gateway: string;
let productPath: string;

beforeAll(async () => {
  provider = await openProvider('test');
  gateway = provider.endpoints('host').app.gateway;
  const { items } = (await (await fetch(`${gateway}/api/products?limit=1`)).json()) as {
    items: { id: string }[];
  };
  productPath = `/api/products/${items[0]!.id}`;
});

afterAll(async () => {
  await revertLeftovers(provider, { all: true });
});

/** A service's switches as it reports them. */
async function switches(member: string): Promise<{ active: string[]; switches: Record<string, unknown> }> {
  const response = await fetch(`${provider.endpoints('host').app.services[member]}/internal/faults`, {
    headers: { [INTERNAL_API_KEY_HEADER]: provider.appSecrets()!.internalApiKey },
  });
  return (await response.json()) as { active: string[]; switches: Record<string, unknown> };
}

describe('application faults', () => {
  it('when route-errors is on for the product page, then the gateway answers 503 FAULT_INJECTED, and 200 after the revert', async () => {
    const during = seen(
      await whileInPlace(
        provider,
        {
          fault: 'route-errors',
          target: 'app:product',
          durationS: 2,
          params: { errorRate: 1, match: 'GET /api/products/:id' },
        },
        async () => {
          const response = await fetch(`${gateway}${productPath}`);
          return { status: response.status, body: await response.text() };
        },
      ),
    );
    expect(during.status).toBe(503);
    expect(during.body).toContain('FAULT_INJECTED');
    expect((await fetch(`${gateway}${productPath}`)).status).toBe(200);
    expect((await switches('product')).active).toEqual([]);
  });

  it('when route-latency adds 400 ms, then the product page takes at least that long, and not after the revert', async () => {
    const timed = async () => {
      const t0 = performance.now();
      await (await fetch(`${gateway}${productPath}`)).text();
      return performance.now() - t0;
    };
    const during = seen(
      await whileInPlace(
        provider,
        {
          fault: 'route-latency',
          target: 'product',
          durationS: 2,
          params: { latencyMs: 400, match: 'GET /api/products/*' },
        },
        timed,
      ),
    );
    expect(during).toBeGreaterThanOrEqual(400);
    expect(await timed()).toBeLessThan(400);
  });

  it('when the payment provider fails and a consumer stalls, then the services report those switches on, and off after', async () => {
    const payment = seen(
      await whileInPlace(
        provider,
        { fault: 'payment-failures', target: 'app:order', durationS: 1, params: { failureRate: 1 } },
        () => switches('order'),
      ),
    );
    expect(payment.switches.payment).toEqual({ failureRate: 1, latencyMs: 0 });
    expect((await switches('order')).active).toEqual([]);

    const stall = seen(
      await whileInPlace(
        provider,
        { fault: 'consumer-stall', target: 'notification', durationS: 1, params: { topic: 'order-events' } },
        () => switches('notification'),
      ),
    );
    expect(stall.switches.consumers).toEqual({ stalled: true, topics: ['order-events'] });
    expect((await switches('notification')).active).toEqual([]);
  });

  it('when an application fault targets a member without that switch, then it is refused before anything is touched', async () => {
    const refused = await runFault(provider, {
      fault: 'payment-failures',
      target: 'app:user',
      durationS: 1,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UsageError);
    expect((refused as Error).message).toBe(
      'fault "payment-failures" does not apply to user (app); it acts on order',
    );
    const gatewayRefused = await runFault(provider, {
      fault: 'route-errors',
      target: 'app:gateway',
      durationS: 1,
    }).catch((e: unknown) => e);
    expect((gatewayRefused as Error).message).toContain('does not apply to gateway');
  });

  it('when the chaos command is interrupted with Ctrl-C while route-errors holds, then the switch is off again', async () => {
    const cli = chaosCli(
      'route-errors',
      '--target',
      'app:analytics',
      '--duration',
      '120s',
      '--set',
      'errorRate=1',
    );
    await cli.inPlace();
    expect((await switches('analytics')).active).toEqual(['routes']);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect((await switches('analytics')).active).toEqual([]);
  });
});
