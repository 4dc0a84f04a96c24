import { openProvider, type ComponentHandle, type Provider } from '@stackdrill/stack';
import { UsageError } from '@stackdrill/toolkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultJournal } from './journal.ts';
import { revertLeftovers, runFault, type FaultEvent } from './run-fault.ts';
import { chaosCli, eventually } from './testing/fault-tests.ts';

/**
 * Every process fault against the real `test` stack, through the provider's handles only: in place
 * while it holds, reverted afterwards, also when the run is interrupted (Ctrl-C) and when it is
 * killed outright (the next run, or `pnpm chaos revert`, undoes it).
 */
let provider: Provider;

beforeAll(async () => {
  provider = await openProvider('test');
});

afterAll(async () => {
  // Whatever a failed test left in place, so the next test file finds a healthy stack.
  await revertLeftovers(provider, { all: true });
});

const roleOf = async (handle: ComponentHandle, member: string) =>
  (await handle.members()).find((m) => m.name === member)?.role;

describe('process faults', () => {
  it('when a Redis replica is killed for 5 s, then it is down while the fault holds, and afterwards it is a replica again', async () => {
    const redis = provider.handle('redis');
    const [replica] = await redis.members({ role: 'replica' });
    const events: FaultEvent[] = [];
    const run = runFault(
      provider,
      { fault: 'kill', target: replica!.name, durationS: 5 },
      { onEvent: (e) => events.push(e) },
    );
    // The run goes on whatever the check finds: a fault still held would break the next test.
    await eventually(
      'the replica down',
      () => roleOf(redis, replica!.name),
      (r) => r === 'down',
    ).finally(() => run.catch(() => {}));
    const result = await run;
    expect(result.members).toEqual([replica!.name]);
    expect(result.broken).toEqual([]);
    expect(result.recoveryMs).toBeGreaterThanOrEqual(0);
    expect(await roleOf(redis, replica!.name)).toBe('replica');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['injected', 'reverted', 'recovered']));
    expect(await new FaultJournal(provider.home).entries()).toEqual([]);
  });

  it('when MongoDB and a Kafka broker are killed, then the revert starts each again: the provider was opened without its tools', async () => {
    // openProvider gives a provider that did not run `up`: its restart once spawned `ferretdb` by a
    // bare name and Kafka with an empty classpath (ENOENT), and the member stayed down.
    const fresh = await openProvider('test');
    for (const target of ['mongo:primary', 'kafka-2']) {
      const result = await runFault(
        fresh,
        { fault: 'kill', target, durationS: 1 },
        { recoveryBoundMs: 30_000 },
      );
      expect(result.broken, target).toEqual([]);
      expect(result.recoveryMs, target).toBeGreaterThanOrEqual(0);
    }
    expect((await fresh.handle('mongo').members({ role: 'primary' })).length).toBe(1);
    expect((await fresh.handle('kafka').members()).map((m) => m.role)).not.toContain('down');
    // The provider opened before sees the new processes too (the state file is shared, not copied):
    // once, its stale copy overwrote their records and they ran on, unknown to `stack:down`.
    expect((await provider.handle('mongo').members({ role: 'primary' })).length).toBe(1);
    expect((await provider.handle('kafka').members()).map((m) => m.role)).not.toContain('down');
  });

  it('when a Kafka broker is frozen, then it is reported paused while the fault holds, and thawed afterwards', async () => {
    const kafka = provider.handle('kafka');
    const [broker] = await kafka.members({ role: 'broker' });
    // Long enough for a status probe, which waits on the frozen broker for seconds, to see it: 10 s
    // was not always, since the controller fences a silent broker after 4 s and the probe's
    // metadata requests then wait on leaders moving.
    const run = runFault(provider, { fault: 'freeze', target: broker!.name, durationS: 20 });
    await eventually(
      'the broker paused',
      () => roleOf(kafka, broker!.name),
      (r) => r === 'paused',
    ).finally(() => run.catch(() => {}));
    const result = await run;
    expect(result.broken).toEqual([]);
    expect(await roleOf(kafka, broker!.name)).not.toBe('paused');
  });

  it('when a service is restarted by role, then the fault is over at once and the service is ready again', async () => {
    const t0 = Date.now();
    const result = await runFault(provider, { fault: 'restart', target: 'app:notification', durationS: 60 });
    expect(result.members).toEqual(['notification']);
    expect(result.broken).toEqual([]);
    // An instant fault does not hold for its duration.
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(await roleOf(provider.handle('app'), 'notification')).toBe('service');
  });
});

describe('the revert is guaranteed', () => {
  it('when the chaos command is interrupted with Ctrl-C mid-fault, then it reverts the fault and exits 130', async () => {
    const redis = provider.handle('redis');
    const [sentinel] = await redis.members({ role: 'sentinel' });
    const cli = chaosCli('freeze', '--target', sentinel!.name, '--duration', '120s');
    await cli.inPlace();
    expect(await roleOf(redis, sentinel!.name)).toBe('paused');
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(cli.output()).toContain('reverted');
    expect(await roleOf(redis, sentinel!.name)).toBe('sentinel');
    expect(await new FaultJournal(provider.home).entries()).toEqual([]);
  });

  it('when the chaos command is killed outright mid-fault, then the fault stays recorded, and `pnpm chaos revert` undoes it', async () => {
    const kafka = provider.handle('kafka');
    const [broker] = await kafka.members({ role: 'broker' });
    const cli = chaosCli('freeze', '--target', broker!.name, '--duration', '120s');
    await cli.inPlace();
    cli.child.kill('SIGKILL');
    await cli.exited;
    expect(await roleOf(kafka, broker!.name)).toBe('paused');
    expect((await new FaultJournal(provider.home).leftovers()).map((e) => e.member)).toEqual([broker!.name]);

    const revert = chaosCli('revert');
    expect(await revert.exited).toBe(0);
    expect(revert.output()).toContain(`reverted a leftover: freeze on ${broker!.name}`);
    expect(await roleOf(kafka, broker!.name)).not.toBe('paused');
    expect(await new FaultJournal(provider.home).entries()).toEqual([]);
  });
});

describe('bad input is refused before anything is touched', () => {
  it('when the fault, the target or a parameter is wrong, or the target matches nothing, then a UsageError says so', async () => {
    // The tests before may leave a broker catching up: start from a healthy stack, every member in
    // its role (a thawed broker was seen healthy in the status and still "down" in the metadata).
    const healthy = async () => (await provider.status()).every((c) => c.healthy);
    await eventually('the stack healthy', healthy, (h) => h, 120_000);
    const roles = async () =>
      (await Promise.all(provider.handles().map((h) => h.members())))
        .flat()
        .map((m) => `${m.name}: ${m.role}`);
    const settled = (list: string[]) => !list.some((r) => /: (down|paused|starting|unknown)$/.test(r));
    const before = await eventually('every member in its role', roles, settled, 60_000);
    const attempt = (fault: string, target: string, params?: Record<string, unknown>) =>
      runFault(provider, { fault, target, durationS: 1, ...(params ? { params } : {}) }).catch(
        (e: unknown) => e,
      );
    const unknownFault = await attempt('melt', 'redis:master');
    expect(unknownFault).toBeInstanceOf(UsageError);
    expect((unknownFault as Error).message).toContain('unknown fault "melt"; faults: kill, freeze, restart');
    expect(((await attempt('kill', 'redis:boss')) as Error).message).toContain(
      'neither a role of redis (master, replica, sentinel) nor one of its members',
    );
    expect(((await attempt('kill', 'kafka:leader-of=no-such-topic/0')) as Error).message).toContain(
      'no topic "no-such-topic"; topics: user-events',
    );
    expect(((await attempt('kill', 'kafka:leader-of=order-events/7')) as Error).message).toContain(
      'matches no member of the test instance now',
    );
    expect(((await attempt('kill', 'redis:master', { force: 9 })) as Error).message).toContain(
      'fault "kill"',
    );
    // Nothing was touched: every member has the role it had.
    expect(await roles()).toEqual(before);
    expect(await new FaultJournal(provider.home).entries()).toEqual([]);
  });
});
