import { describe, expect, it } from 'vitest';
import { JOURNEYS } from './journeys.ts';
import { durationSeconds, PROFILES, scenarioBounds } from './profiles.ts';
import { ALERT_LEVELS, checkSpec, judge, k6Thresholds, SLO_SPEC } from './slo.ts';

describe('the SLO spec', () => {
  it('when checked, then every objective can be judged and none is looser than the alert levels', () => {
    expect(checkSpec(SLO_SPEC)).toEqual([]);
  });

  it('when an objective is inconsistent, then the check names it and says why', () => {
    const problems = checkSpec({
      endpoints: { 'GET /x': { p95Ms: 500, p99Ms: 100, maxErrorRate: 2 } },
      journeys: { slow: { p95Ms: 5000, p99Ms: 6000, maxErrorRate: 0.01 } },
    });
    expect(problems).toEqual([
      'endpoint "GET /x": p99 (100 ms) is below p95 (500 ms)',
      'endpoint "GET /x": maxErrorRate must be between 0 and 1, got 2',
      'endpoint "GET /x": looser than the alert levels (p95 1000 ms, errors 5 %)',
      'journey "slow": looser than the alert levels (p95 1000 ms, errors 5 %)',
    ]);
  });

  it('when rendered for k6, then each endpoint and journey gets its p95, p99 and error-rate thresholds', () => {
    const thresholds = k6Thresholds();
    expect(thresholds['http_req_duration{name:GET /api/products/:id}']).toEqual(['p(95)<250', 'p(99)<600']);
    expect(thresholds['http_req_failed{journey:checkout-and-pay}']).toEqual(['rate<0.02']);
    expect(thresholds.http_req_failed).toEqual([`rate<${ALERT_LEVELS.errorRate}`]);
    const subjects = Object.keys(SLO_SPEC.endpoints).length + Object.keys(SLO_SPEC.journeys).length;
    expect(Object.keys(thresholds)).toHaveLength(2 + 2 * subjects);
  });

  it('when measurements break an objective, then the verdict fails and says which; unmeasured ones are skipped', () => {
    const verdicts = judge({
      endpoints: {
        'GET /api/products': { requests: 1000, errors: 20, p95Ms: 200, p99Ms: 900 },
        'POST /api/orders': { requests: 100, errors: 0, p95Ms: 400, p99Ms: 900 },
      },
      journeys: {},
    });
    expect(verdicts.map((v) => [v.subject, v.passed, v.broken])).toEqual([
      ['endpoint GET /api/products', false, ['p99 900 ms > 800 ms', 'errors 2.00 % > 1.00 %']],
      ['endpoint POST /api/orders', true, []],
    ]);
  });
});

describe('journeys and profiles', () => {
  it('every step of every journey is judged by an endpoint objective, and every journey by its own', () => {
    for (const journey of Object.values(JOURNEYS)) {
      expect(SLO_SPEC.journeys[journey.name]).toBeDefined();
      for (const step of journey.steps) expect(SLO_SPEC.endpoints[step.endpoint]).toBeDefined();
    }
  });

  it('a journey takes what later steps need from earlier answers', () => {
    const ctx = { vars: {} as Record<string, string>, random: () => 0.5 };
    const [list, view] = JOURNEYS.browse.steps;
    list!.extract!({ items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] }, ctx);
    expect(view!.path(ctx)).toBe('/api/products/b');
  });

  it('every profile is bounded in time and count, and its mix names known journeys', () => {
    for (const [name, profile] of Object.entries(PROFILES)) {
      const { seconds, maxIterations } = scenarioBounds(profile.scenario);
      expect(seconds, name).toBeGreaterThan(0);
      expect(seconds, name).toBeLessThanOrEqual(3 * 3600);
      // At most 300 iterations a second on average (VU profiles: their 10-per-VU-second cap).
      expect(maxIterations / seconds, name).toBeLessThanOrEqual(300);
      for (const journey of Object.keys(profile.mix)) expect(JOURNEYS).toHaveProperty(journey);
    }
    expect(scenarioBounds(PROFILES.smoke.scenario)).toEqual({ seconds: 30, maxIterations: 60 });
  });

  it('durations read as k6 reads them, and anything else is refused', () => {
    expect(durationSeconds('1m30s')).toBe(90);
    expect(durationSeconds('2h')).toBe(7200);
    expect(() => durationSeconds('5 minutes')).toThrow(/not a duration/);
    expect(() => durationSeconds('')).toThrow(/not a duration/);
  });
});
