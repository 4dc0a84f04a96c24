import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from '@stackdrill/stack';
import { UsageError } from '@stackdrill/toolkit';
import { latencyHistogram } from '../engine/open-loop.ts';
import type { LoadSummary, SubjectFigures } from '../model/summary.ts';
import { loadCompare } from './compare-command.ts';
import { TEST_RUN } from '../testing/summaries.ts';

/** An endpoint's figures from `requests` latencies spread evenly over [low, high] ms. */
function figures(requests: number, low: number, high: number, errors = 0): SubjectFigures {
  const h = latencyHistogram();
  for (let i = 0; i < requests; i++)
    h.recordValue(Math.round((low + ((high - low) * i) / Math.max(1, requests - 1)) * 1000));
  const at = (p: number) => h.getValueAtPercentile(p) / 1000;
  const f = {
    requests,
    errors,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: h.maxValue / 1000,
    histogram: hdr.encodeIntoCompressedBase64(h),
  };
  h.destroy();
  return f;
}

function summary(
  productsMs: [number, number],
  errors = 0,
  overrides: Partial<LoadSummary> = {},
): LoadSummary {
  return {
    ...TEST_RUN,
    durationS: 300,
    endpoints: { 'GET /api/products': figures(1000, ...productsMs, errors) },
    journeys: { browse: figures(1000, ...productsMs, errors) },
    verdicts: [],
    passed: true,
    ...overrides,
  };
}

let dir: string;
let out: string[];
const write = async (name: string, content: unknown) => {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const compare = (...argv: string[]) => loadCompare(argv, { baselineDir: join(dir, 'baselines') });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'load-compare-'));
  out = [];
  const capture = (...args: unknown[]) => void out.push(args.join(' '));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('pnpm load:compare', () => {
  it('when there is no baseline and no --save-baseline, then it says how to make one (exit 2)', async () => {
    const run = await write('run.json', summary([10, 100]));
    const refused = compare(run);
    await expect(refused).rejects.toThrow(UsageError);
    await expect(compare(run)).rejects.toThrow(/no baseline at .*average\.json .*--save-baseline/);
  });

  it('when there is no baseline and --save-baseline, then the run becomes the first baseline (exit 0)', async () => {
    const current = summary([10, 100]);
    const run = await write('run.json', current);
    expect(await compare(run, '--save-baseline')).toBe(0);
    const saved = JSON.parse(await readFile(join(dir, 'baselines', 'average.json'), 'utf8')) as LoadSummary;
    expect(saved).toEqual(current);
    expect(out.join('\n')).toContain('saved this run as the first baseline of average');
  });

  it('when nothing regressed, then it prints the table and a green verdict (exit 0)', async () => {
    const baseline = await write('baseline.json', summary([10, 100]));
    const run = await write('run.json', summary([10, 105]));
    expect(await compare(run, '--baseline', baseline)).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('endpoint GET /api/products');
    expect(text).toContain('baseline p95');
    expect(text).toMatch(/no regression against the baseline \(2 judged\)/);
  });

  it('when an endpoint got slower than the margin, then it names it and exits 1', async () => {
    const baseline = await write('baseline.json', summary([10, 100]));
    const run = await write('run.json', summary([10, 200], 30));
    expect(await compare(run, '--baseline', baseline)).toBe(1);
    const text = out.join('\n');
    // The reasons wrap in their column, one per line.
    expect(text).toContain('REGRESSED: p95 96 ms → 191 ms (+99 %, margin 20 %);');
    expect(text).toContain('error rate 0 % → 3.0 % (margin +0.5 points)');
    expect(text).toContain('REGRESSED: endpoint GET /api/products, journey browse (2 of 2 judged)');
    // Wider margins let both through.
    out.length = 0;
    expect(await compare(run, '--baseline', baseline, '--p95-margin', '150', '--error-margin', '5')).toBe(0);
  });

  it('when --save-baseline follows a comparison, then only a run without regression replaces the baseline', async () => {
    await compare(await write('first.json', summary([10, 100])), '--save-baseline');
    const file = join(dir, 'baselines', 'average.json');
    const slow = summary([10, 300], 0, { startedAt: '2025-01-02T02:00:00.000Z' });
    expect(await compare(await write('slow.json', slow), '--save-baseline')).toBe(1);
    expect((JSON.parse(await readFile(file, 'utf8')) as LoadSummary).startedAt).toBe(
      '2025-01-01T02:00:00.000Z',
    );
    expect(out.join('\n')).toContain('not saving a regressed run as the baseline');
    const good = summary([10, 101], 0, { startedAt: '2025-01-03T02:00:00.000Z' });
    expect(await compare(await write('good.json', good), '--save-baseline')).toBe(0);
    expect((JSON.parse(await readFile(file, 'utf8')) as LoadSummary).startedAt).toBe(
      '2025-01-03T02:00:00.000Z',
    );
  });

  it('when several summaries are given, then they are merged by histogram before comparing', async () => {
    const baseline = await write('baseline.json', summary([10, 100]));
    const a = await write('a.json', summary([10, 100]));
    const b = await write('b.json', summary([10, 400], 0, { startedAt: '2025-01-01T02:00:00.500Z' }));
    expect(await compare(a, b, '--baseline', baseline, '--json')).toBe(1);
    const text = out.join('\n');
    expect(text).toContain('merged 2 summaries (2 runners) of average: 2000 requests');
    const json = JSON.parse(out.at(-1)!) as { rows: { subject: string; current: { p95Ms: number } }[] };
    // The p95 of all 2,000 requests (the slow half's top), not the mean of the two p95s (~238 ms).
    expect(json.rows[0]!.current.p95Ms).toBeGreaterThan(350);
  });

  it('when --json is given, then stdout is the comparison as JSON', async () => {
    const baseline = await write('baseline.json', summary([10, 100]));
    const run = await write('run.json', summary([10, 200]));
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await compare(run, '--baseline', baseline, '--json')).toBe(1);
    expect(log).toHaveBeenCalledTimes(1);
    const json = JSON.parse(log.mock.calls[0]![0] as string) as Record<string, unknown>;
    expect(json).toMatchObject({ profile: 'average', regressed: true, baselineFile: baseline });
    expect(json.rows).toHaveLength(2);
  });

  it('when an input is missing, not JSON or of another format, then the error names the file', async () => {
    const baseline = await write('baseline.json', summary([10, 100]));
    await expect(compare(join(dir, 'nope.json'), '--baseline', baseline)).rejects.toThrow(
      /nope\.json does not exist/,
    );
    await expect(compare(await write('bad.json', '{"format": '), '--baseline', baseline)).rejects.toThrow(
      /bad\.json is not JSON/,
    );
    await expect(compare(await write('other.json', { hello: 1 }), '--baseline', baseline)).rejects.toThrow(
      /other\.json is not a load summary/,
    );
    const old = { ...summary([10, 100]), format: 'stackdrill-load-summary/1' };
    await expect(
      compare(await write('run.json', summary([10, 100])), '--baseline', await write('old.json', old)),
    ).rejects.toThrow(/old\.json is in format "stackdrill-load-summary\/1".*--save-baseline/);
    const broken = summary([10, 100]);
    delete (broken.endpoints['GET /api/products'] as Partial<SubjectFigures>).p95Ms;
    await expect(compare(await write('broken.json', broken), '--baseline', baseline)).rejects.toThrow(
      /broken\.json is not a complete load summary: endpoints\["GET \/api\/products"\]\.p95Ms/,
    );
  });

  it('when the baseline is of another profile or a flag is malformed, then it refuses', async () => {
    const smoke = await write('smoke.json', summary([10, 100], 0, { profile: 'smoke' }));
    const run = await write('run.json', summary([10, 100]));
    await expect(compare(run, '--baseline', smoke)).rejects.toThrow(
      /profile "average" but the baseline of "smoke"/,
    );
    await expect(compare(run, '--p95-margin', 'lots')).rejects.toThrow(
      '--p95-margin takes a number ≥ 0, got "lots"',
    );
    await expect(compare(run, '--min-requests', '2.5')).rejects.toThrow(
      '--min-requests takes a whole number',
    );
    await expect(compare()).rejects.toThrow('name the summary of a run');
  });
});

describe('pnpm load:compare, as a user runs it', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['scripts/run.mjs', 'load-compare', ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });

  it('when run through scripts/run.mjs, then the exit codes are 0, 1 and 2', async () => {
    const baseline = await write('baseline.json', summary([10, 100]));
    const same = await write('same.json', summary([10, 100]));
    const slow = await write('slow.json', summary([10, 300]));
    expect(run(same, '--baseline', baseline).status).toBe(0);
    const regressed = run(slow, '--baseline', baseline);
    expect(regressed.status).toBe(1);
    expect(regressed.stdout).toContain('REGRESSED');
    const missing = run(same, '--baseline', join(dir, 'none.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--save-baseline');
    const first = run(same, '--baseline', join(dir, 'nightly', 'average.json'), '--save-baseline');
    expect(first.status).toBe(0);
    expect(existsSync(join(dir, 'nightly', 'average.json'))).toBe(true);
  });
});
