import { describe, expect, it } from 'vitest';
import { arrivals } from '../engine/schedule.ts';
import type { LoadSummary } from '../model/summary.ts';
import { engineFigures, HELLO_ENDPOINT, helloWorkload } from './engine-adapter.ts';

describe('helloWorkload', () => {
  it('is one GET / journey at a constant arrival rate', () => {
    const { journeys, profile } = helloWorkload({ rate: 2000, seconds: 10, maxInFlight: 100 });
    const step = journeys.hello!.steps[0]!;
    expect([step.endpoint, step.method, step.path({ vars: {}, random: Math.random })]).toEqual([
      HELLO_ENDPOINT,
      'GET',
      '/',
    ]);
    expect(profile.mix).toEqual({ hello: 1 });
    expect(profile.scenario).toMatchObject({ executor: 'constant-arrival-rate', rate: 2000, maxVUs: 100 });
    expect([...arrivals(profile.scenario)]).toHaveLength(20_000);
  });
});

describe('engineFigures', () => {
  it('reads the hello endpoint, and zeros when it measured nothing', () => {
    const summary = {
      durationS: 10.01,
      droppedIterations: 3,
      endpoints: { [HELLO_ENDPOINT]: { requests: 9, errors: 1, p50Ms: 0.4, p95Ms: 1, p99Ms: 2, maxMs: 3 } },
    } as unknown as LoadSummary;
    expect(engineFigures({ rate: 1, seconds: 10 }, summary)).toEqual({
      rate: 1,
      plannedS: 10,
      durationS: 10.01,
      requests: 9,
      errors: 1,
      dropped: 3,
      p50Ms: 0.4,
      p95Ms: 1,
      p99Ms: 2,
    });
    const empty = { durationS: 1, endpoints: {} } as unknown as LoadSummary;
    expect(engineFigures({ rate: 1, seconds: 1 }, empty)).toMatchObject({
      requests: 0,
      dropped: 0,
      p50Ms: 0,
    });
  });
});
