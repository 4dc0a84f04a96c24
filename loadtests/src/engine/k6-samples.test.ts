import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../model/profiles.ts';
import { summaryFromK6Samples } from './k6-samples.ts';

// The columns k6 writes (k6 ≥ 0.31), with unix_milli timestamps.
const HEADER =
  'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata';
const duration = (
  ms: number,
  value: number,
  name: string,
  status: number,
  expected: boolean,
  journey: string,
) =>
  `http_req_duration,${ms},${value},,,,${expected},,GET,${name},HTTP/1.1,average,,${status},,,"http://127.0.0.1:8080/x?a=1,2",journey=${journey},`;

async function samples(lines: string[], gz = false): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'k6-samples-'));
  const text = `${HEADER}\n${lines.join('\n')}\n`;
  const file = join(dir, gz ? 'samples.csv.gz' : 'samples.csv');
  await writeFile(file, gz ? await promisify(gzip)(text) : text);
  return file;
}
const meta = { profileName: 'average', profile: PROFILES.average, target: 'http://127.0.0.1:8080' };

describe('a summary from k6’s raw samples', () => {
  it('tallies each request under its endpoint and journey, second by second, by status', async () => {
    const t0 = 1_764_000_000_000;
    const file = await samples([
      duration(t0, 12.5, 'GET /api/products', 200, true, 'browse'),
      duration(t0 + 400, 30, 'GET /api/products/:id', 200, true, 'browse'),
      `iterations,${t0 + 900},1,,,,,,,,,average,,,,,,journey=browse,`,
      duration(t0 + 1500, 900, 'GET /api/products', 503, false, 'search'),
      `dropped_iterations,${t0 + 2100},1,,,,,,,,,average,,,,,,,`,
    ]);
    const summary = await summaryFromK6Samples(file, meta);
    expect(summary.engine).toBe('k6');
    expect(summary.startedAt).toBe(new Date(t0).toISOString());
    expect(summary.endpoints['GET /api/products']).toMatchObject({
      requests: 2,
      errors: 1,
      statuses: { '200': 1, '503': 1 },
    });
    expect(summary.journeys.browse?.requests).toBe(2);
    expect(summary.journeys.search?.errors).toBe(1);
    expect(summary.timeline!.map((p) => [p.second, p.requests, p.errors, p.arrivals])).toEqual([
      [0, 2, 0, 1],
      [1, 1, 1, 0],
      [2, 0, 0, 0],
    ]);
    expect(summary.droppedIterations).toBe(1);
    expect(summary.endpoints['GET /api/products']!.histogram).toBeTruthy();
    expect(summary.passed).toBe(false); // 50 % errors on GET /api/products
  });

  it('reads gzipped samples, and says so when there are none', async () => {
    const file = await samples([duration(1000, 5, 'GET /api/products', 200, true, 'browse')], true);
    expect((await summaryFromK6Samples(file, meta)).endpoints['GET /api/products']?.requests).toBe(1);
    await expect(summaryFromK6Samples(await samples([]), meta)).rejects.toThrow(/holds no samples/);
  });
});
