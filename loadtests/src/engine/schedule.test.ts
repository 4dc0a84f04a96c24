import { describe, expect, it } from 'vitest';
import { levelAt, scenarioBounds } from '../model/profiles.ts';
import { arrivals, withDuration } from './schedule.ts';

describe('arrival schedules', () => {
  it('a constant rate spaces arrivals evenly, rate × duration of them', () => {
    const times = [
      ...arrivals({
        executor: 'constant-arrival-rate',
        rate: 4,
        duration: '2s',
        preAllocatedVUs: 1,
        maxVUs: 1,
      }),
    ];
    expect(times).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  it('a ramp from 0 to 10/s over 10 s brings 50 arrivals, ever closer together', () => {
    const times = [
      ...arrivals({
        executor: 'ramping-arrival-rate',
        startRate: 0,
        stages: [{ target: 10, duration: '10s' }],
        preAllocatedVUs: 1,
        maxVUs: 1,
      }),
    ];
    expect(times).toHaveLength(50);
    expect(times[0]).toBeCloseTo(Math.sqrt(2) * 1000, 0); // N(t) = t²/2 → first at √2 s
    expect(times.at(-1)).toBeCloseTo(10_000, 0);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.every((g, i) => i === 0 || g <= gaps[i - 1]! + 1e-6)).toBe(true);
  });

  it('stages follow each other: ramp up, hold, ramp down', () => {
    const times = [
      ...arrivals({
        executor: 'ramping-arrival-rate',
        startRate: 0,
        stages: [
          { target: 4, duration: '2s' },
          { target: 4, duration: '2s' },
          { target: 0, duration: '2s' },
        ],
        preAllocatedVUs: 1,
        maxVUs: 1,
      }),
    ];
    expect(times).toHaveLength(4 + 8 + 4);
    expect(times.filter((t) => t > 2000 && t <= 4000)).toHaveLength(8);
    expect(Math.max(...times)).toBeLessThanOrEqual(6000);
  });

  it('--duration scales every stage of a ramp and replaces a constant duration', () => {
    const ramp = withDuration(
      {
        executor: 'ramping-arrival-rate',
        startRate: 1,
        stages: [
          { target: 10, duration: '1m' },
          { target: 0, duration: '3m' },
        ],
        preAllocatedVUs: 1,
        maxVUs: 1,
      },
      40,
    );
    expect(ramp.executor === 'ramping-arrival-rate' && ramp.stages.map((s) => s.duration)).toEqual([
      '10s',
      '30s',
    ]);
    expect(
      withDuration(
        { executor: 'constant-arrival-rate', rate: 1, duration: '5m', preAllocatedVUs: 1, maxVUs: 1 },
        20,
      ),
    ).toMatchObject({ duration: '20s' });
  });
});

describe('the scenario’s level at a moment', () => {
  it('follows the ramps stage by stage and holds the last target after them', () => {
    const scenario = {
      executor: 'ramping-arrival-rate' as const,
      startRate: 10,
      stages: [
        { target: 30, duration: '10s' },
        { target: 30, duration: '5s' },
      ],
      preAllocatedVUs: 1,
      maxVUs: 1,
    };
    expect(levelAt(scenario, 0)).toBe(10);
    expect(levelAt(scenario, 5)).toBe(20);
    expect(levelAt(scenario, 12)).toBe(30);
    expect(levelAt(scenario, 99)).toBe(30);
  });
});

describe('VU executors', () => {
  it('have a level of VUs over time, a bound on iterations, and no arrival clock', () => {
    const ramp = {
      executor: 'ramping-vus' as const,
      startVUs: 0,
      stages: [
        { target: 20, duration: '10s' },
        { target: 0, duration: '10s' },
      ],
    };
    expect(levelAt(ramp, 5)).toBe(10);
    expect(levelAt(ramp, 15)).toBe(10);
    expect(scenarioBounds(ramp)).toEqual({ seconds: 20, maxIterations: 2000 });
    expect(() => [...arrivals(ramp)]).toThrow(/VU executor/);
    expect(withDuration({ executor: 'constant-vus', vus: 3, duration: '2h' }, 60)).toEqual({
      executor: 'constant-vus',
      vus: 3,
      duration: '60s',
    });
  });
});
