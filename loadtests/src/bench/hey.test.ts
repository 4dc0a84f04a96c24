import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { heyArgs, parseHey } from './hey.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseHey', () => {
  it('when hey ran at a fixed rate, then it reads the rate, the percentiles in ms and the statuses', () => {
    const result = parseHey(fixture('hey-rate.txt'));
    expect(result.seconds).toBe(5.0031);
    expect(result.requestsPerS).toBe(1996.5633);
    expect(result.latencyMs[50]).toBeCloseTo(0.5);
    expect(result.latencyMs[99]).toBeCloseTo(2.5);
    expect(Object.keys(result.latencyMs).map(Number)).toEqual([10, 25, 50, 75, 90, 95, 99]);
    expect(result.statuses).toEqual({ '200': 9989 });
    expect(result.errors).toEqual({});
  });

  it('when the server answered two statuses, then both are counted', () => {
    expect(parseHey(fixture('hey-statuses.txt')).statuses).toEqual({ '200': 400, '503': 400 });
  });

  it('when nothing was answered, then the errors are counted and there are no percentiles', () => {
    const result = parseHey(fixture('hey-refused.txt'));
    expect(result.statuses).toEqual({});
    expect(result.latencyMs).toEqual({});
    expect(result.errors).toEqual({
      'Get "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused': 20,
    });
  });

  it('when the output is not a summary, then it throws', () => {
    expect(() => parseHey('Usage: hey [options...] <url>\n')).toThrow(/not hey's summary/);
  });
});

describe('heyArgs', () => {
  it('passes the per-worker rate (hey -q is per worker)', () => {
    expect(heyArgs({ url: 'http://127.0.0.1:1234/', seconds: 10, workers: 8, perWorkerRate: 312.5 })).toEqual(
      ['-z', '10s', '-c', '8', '-q', '312.5', 'http://127.0.0.1:1234/'],
    );
  });
});
