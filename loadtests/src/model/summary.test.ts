import { describe, expect, it } from 'vitest';
import { fromK6Summary } from './summary.ts';

describe('the load summary from k6', () => {
  it('when k6 hands over its tagged sub-metrics, then endpoints and journeys get their figures and verdicts', () => {
    const trend = (med: number, p95: number, p99: number, count: number) => ({
      values: { med, 'p(95)': p95, 'p(99)': p99, max: p99 * 2, count, avg: med, min: 1 },
    });
    const summary = fromK6Summary(
      {
        state: { testRunDurationMs: 30_500 },
        metrics: {
          http_req_duration: trend(20, 90, 300, 250),
          'http_req_duration{name:GET /api/products}': trend(12, 80, 200, 200),
          'http_req_failed{name:GET /api/products}': { values: { rate: 0, passes: 0, fails: 200 } },
          'http_req_duration{name:POST /api/orders}': trend(300, 1200, 2000, 50),
          'http_req_failed{name:POST /api/orders}': { values: { rate: 0.04, passes: 2, fails: 48 } },
          'http_req_duration{journey:browse}': trend(12, 80, 200, 200),
          'http_req_failed{journey:browse}': { values: { rate: 0, passes: 0, fails: 200 } },
        },
      },
      { profile: 'smoke', target: 'http://127.0.0.1:8080' },
    );
    expect(summary.durationS).toBe(30.5);
    expect(summary.endpoints['POST /api/orders']).toEqual({
      requests: 50,
      errors: 2,
      p50Ms: 300,
      p95Ms: 1200,
      p99Ms: 2000,
      maxMs: 4000,
    });
    expect(summary.journeys.browse?.requests).toBe(200);
    expect(summary.passed).toBe(false);
    expect(summary.verdicts.find((v) => !v.passed)).toMatchObject({
      subject: 'endpoint POST /api/orders',
      broken: ['p95 1200 ms > 1000 ms', 'errors 4.00 % > 2.00 %'],
    });
  });
});
