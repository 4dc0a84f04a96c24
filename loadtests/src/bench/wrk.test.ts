import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseWrk, wrkArgs } from './wrk.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseWrk', () => {
  it('when wrk ran with --latency, then it reads the totals and the distribution in ms', () => {
    const result = parseWrk(fixture('wrk-latency.txt'));
    expect(result.requests).toBe(107511);
    expect(result.seconds).toBe(5);
    expect(result.requestsPerS).toBe(21484.82);
    expect(result.latencyMs).toEqual({ 50: 2.55, 75: 3.48, 90: 6.52, 99: 266.28 });
    expect(result.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
    expect(result.non2xx).toBe(0);
  });

  it('when wrk ran without --latency, then the distribution is empty', () => {
    const result = parseWrk(fixture('wrk-no-latency.txt'));
    expect(result.requests).toBe(57138);
    expect(result.seconds).toBeCloseTo(3.01);
    expect(result.latencyMs).toEqual({});
  });

  it('when the server answered errors and dropped sockets, then both are counted', () => {
    const result = parseWrk(fixture('wrk-errors.txt'));
    expect(result.non2xx).toBe(28235);
    expect(result.socketErrors).toEqual({ connect: 0, read: 11, write: 0, timeout: 0 });
  });

  it('when the latency is in µs or seconds, then it is still in ms', () => {
    const text = fixture('wrk-latency.txt').replace('2.55ms', '850.00us').replace('266.28ms', '1.20s');
    expect(parseWrk(text).latencyMs[50]).toBeCloseTo(0.85);
    expect(parseWrk(text).latencyMs[99]).toBe(1200);
  });

  it('when wrk could not connect, then it says it is not a summary', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused\n')).toThrow(
      /not wrk's summary/,
    );
  });
});

describe('wrkArgs', () => {
  it('builds the closed-loop command line with the latency distribution', () => {
    expect(wrkArgs({ url: 'http://127.0.0.1:1234/', threads: 1, connections: 64, seconds: 10 })).toEqual([
      '-t1',
      '-c64',
      '-d10s',
      '--latency',
      'http://127.0.0.1:1234/',
    ]);
  });
});
