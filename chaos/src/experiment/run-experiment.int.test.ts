import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openProvider, REPO_ROOT, type Provider } from '@stackdrill/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revertLeftovers } from '../run-fault.ts';
import { parseExperiment } from './load-experiment.ts';
import { runExperiment } from './run-experiment.ts';
import { writeExperimentReport } from './write-report.ts';

/**
 * Experiments against the real `test` stack with a real background load: one that recovers, one
 * whose abort bound cuts the method short, one whose hypothesis does not hold to begin with, and
 * `pnpm load --chaos` drawing the faults on the load's timeline. Short windows keep them quick.
 */
let provider: Provider;
let dir: string;

beforeAll(async () => {
  provider = await openProvider('test');
  dir = await mkdtemp(join(tmpdir(), 'chaos-experiments-'));
});

afterAll(async () => {
  await revertLeftovers(provider, { all: true });
  await rm(dir, { recursive: true, force: true });
});

const experiment = (method: string, extra = '') =>
  parseExperiment(
    `
title: a test experiment
steady-state-hypothesis:
  title: healthy, and the load within the alert levels
  probes:
    - { type: probe, name: healthy, provider: { type: stackdrill, probe: stack-healthy } }
    - { type: probe, name: slo, provider: { type: stackdrill, probe: slo, window: 3s } }
method:
${method}
load: { profile: smoke, rate: 2, warmup: 4s }
recovery: { within: 60s }
${extra}`,
    'test.yaml',
  );

/** `pnpm load smoke` against the test stack's gateway, to its end. */
const loadCli = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'scripts', 'run.mjs'),
      'load',
      'smoke',
      '--target',
      provider.endpoints('host').app.gateway,
      ...args,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
  );

describe('experiments', () => {
  it('when a service is restarted under load, then the hypothesis holds before and after, and the report carries the marks', async () => {
    const result = await runExperiment(
      provider,
      experiment(
        `  - { type: action, name: restart, provider: { type: stackdrill, fault: restart, target: 'app:notification' } }`,
      ),
    );
    expect(
      result.steadyBefore.every((o) => o.ok),
      JSON.stringify(result.steadyBefore),
    ).toBe(true);
    expect(result.status, JSON.stringify(result.steadyAfter)).toBe('completed');
    expect(result.recoveryS).toBeGreaterThanOrEqual(0);
    expect(result.faults.map((f) => f.members)).toEqual([['notification']]);
    expect(result.load?.marks?.map((m) => m.kind)).toEqual(['fault', 'revert', 'recovered']);
    const written = await writeExperimentReport('test.yaml', result, dir);
    expect(await readFile(written.html!, 'utf8')).toContain('restart on notification');
    expect(JSON.parse(await readFile(written.json, 'utf8'))).toMatchObject({ status: 'completed' });
  });

  it('when the load crosses the abort bound, then the method is cut short, its fault reverted, and the run says aborted', async () => {
    const t0 = Date.now();
    const result = await runExperiment(
      provider,
      experiment(
        `  - { type: action, name: kill-product, provider: { type: stackdrill, fault: kill, target: 'app:product', duration: 120s } }`,
        'abort: { errorRate: 0.2, window: 3s }',
      ),
    );
    expect(result.status).toBe('aborted');
    expect(result.abortReason).toMatch(/error rate/);
    expect(result.faults[0]?.interrupted).toBe(true);
    // Long before the fault's 120 s were up.
    expect(Date.now() - t0).toBeLessThan(100_000);
    expect(result.load?.marks?.map((m) => m.kind)).toContain('abort');
    expect((await provider.handle('app').members()).find((m) => m.name === 'product')?.role).toBe('service');
  });

  it('when the hypothesis does not hold before the method, then nothing is injected and the run says failed', async () => {
    const redis = provider.handle('redis');
    const [sentinel] = await redis.members({ role: 'sentinel' });
    await redis.kill(sentinel!.name);
    try {
      const result = await runExperiment(
        provider,
        experiment(
          `  - { type: action, name: kill, provider: { type: stackdrill, fault: kill, target: 'redis:master' } }`,
        ),
      );
      expect(result.status).toBe('failed');
      expect(result.steadyBefore.find((o) => o.name === 'healthy')).toMatchObject({ ok: false });
      expect(result.faults).toEqual([]);
      expect((await redis.members({ role: 'master' })).length).toBe(1);
    } finally {
      await redis.restart(sentinel!.name);
    }
  });

  it("when `pnpm load --chaos` runs an experiment beside the load, then the faults and reverts are on the report's timeline", async () => {
    const file = join(dir, 'restart-user.yaml');
    await writeFile(
      file,
      `title: restart the user service
steady-state-hypothesis:
  title: healthy
  probes: [{ type: probe, name: healthy, provider: { type: stackdrill, probe: stack-healthy } }]
method:
  - { type: action, name: restart, provider: { type: stackdrill, fault: restart, target: 'app:user' }, pauses: { before: 3s } }
`,
    );
    const run = loadCli('--duration', '12s', '--chaos', file);
    expect([0, 99], run.stderr + run.stdout).toContain(run.status);
    const summaryPath = /summary: (\S+\.json)/.exec(run.stdout)?.[1];
    const summary = JSON.parse(await readFile(summaryPath!, 'utf8')) as {
      marks?: { kind: string; label: string }[];
    };
    expect(summary.marks?.map((m) => `${m.kind}: ${m.label}`)).toEqual([
      'fault: restart on user',
      'revert: restart on user reverted',
    ]);
    expect(await readFile(summaryPath!.replace(/\.json$/, '.html'), 'utf8')).toContain('id="marks"');
  });

  it('when `pnpm load --chaos` names no experiment there is, then it refuses before any load', () => {
    const run = loadCli('--chaos', 'no-such-thing');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no experiment "no-such-thing"');
  });
});
