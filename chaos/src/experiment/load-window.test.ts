import { describe, expect, it } from 'vitest';
import { LoadWindow } from './load-window.ts';

const progress = (rate: number, errors: number, p95Ms: number) => ({
  rate,
  errors,
  p95Ms,
  elapsedS: 0,
  plannedS: 0,
  requests: 0,
  inFlight: 0,
  dropped: 0,
  sloOk: true,
  arrivalRate: 0,
});

describe('LoadWindow', () => {
  it('when seconds are observed, then the window adds up its own seconds only, errors per second from the running count', () => {
    const w = new LoadWindow();
    const t0 = 1_000_000;
    w.observe(progress(10, 0, 20), t0 + 1000);
    w.observe(progress(10, 5, 900), t0 + 2000);
    w.observe(progress(10, 6, 30), t0 + 3000);
    expect(w.last(2, t0 + 3000)).toEqual({ seconds: 2, requests: 20, errors: 6, errorRate: 0.3, p95Ms: 900 });
    expect(w.last(1, t0 + 3000)).toMatchObject({ requests: 10, errors: 1, p95Ms: 30 });
  });

  it('when no request was answered in the window, then it counts as failing (a frozen target must not look healthy)', () => {
    const w = new LoadWindow();
    expect(w.last(10, 5000)).toBeUndefined();
    w.observe(progress(0, 0, 0), 5000);
    expect(w.last(10, 5000)).toMatchObject({ requests: 0, errorRate: 1, p95Ms: Number.POSITIVE_INFINITY });
  });
});
