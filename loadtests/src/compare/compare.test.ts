import { describe, expect, it } from 'vitest';
import type { LoadSummary, SubjectFigures } from '../model/summary.ts';
import { compareSummaries, DEFAULT_MARGINS, percent } from './compare.ts';
import { SummaryError } from './merge.ts';
import { TEST_RUN } from '../testing/summaries.ts';

const figures = (p95Ms: number, requests = 1000, errors = 0): SubjectFigures => ({
  requests,
  errors,
  p50Ms: p95Ms / 2,
  p95Ms,
  p99Ms: p95Ms * 2,
  maxMs: p95Ms * 3,
});

function run(
  endpoints: Record<string, SubjectFigures>,
  journeys: Record<string, SubjectFigures> = {},
  overrides: Partial<LoadSummary> = {},
): LoadSummary {
  return {
    ...TEST_RUN,
    durationS: 300,
    endpoints,
    journeys,
    verdicts: [],
    passed: true,
    ...overrides,
  };
}

/** The one row of a comparison of one endpoint. */
const row = (before: SubjectFigures, after: SubjectFigures, margins = {}) => {
  const comparison = compareSummaries(run({ 'GET /api/x': after }), run({ 'GET /api/x': before }), margins);
  expect(comparison.rows).toHaveLength(1);
  return { ...comparison.rows[0]!, overall: comparison.regressed };
};

describe('comparing a run with its baseline', () => {
  it('when p95 grows by more than the margin, then the subject regressed and the reason says by how much', () => {
    const r = row(figures(182), figures(260));
    expect(r).toMatchObject({ status: 'regressed', regressed: true, overall: true });
    expect(r.reasons).toEqual(['p95 182 ms → 260 ms (+43 %, margin 20 %)']);
    expect(r.p95ChangePercent).toBeCloseTo(42.86, 1);
  });

  it('when p95 grows by less than the margin, then the subject is ok', () => {
    expect(row(figures(182), figures(218))).toMatchObject({ status: 'ok', regressed: false, overall: false });
    // Just over 20 %: flagged.
    expect(row(figures(100), figures(120.5)).status).toBe('regressed');
    // A wider margin lets +43 % through.
    expect(row(figures(182), figures(260), { p95Percent: 50 }).status).toBe('ok');
  });

  it('when a fast endpoint grows by a few ms, then the floor keeps it from being a regression', () => {
    expect(row(figures(2), figures(3))).toMatchObject({ status: 'ok', p95ChangePercent: 50 });
    expect(row(figures(2), figures(6.9)).status).toBe('ok');
    expect(row(figures(2), figures(8)).reasons).toEqual(['p95 2.0 ms → 8.0 ms (+300 %, margin 20 %)']);
    expect(row(figures(2), figures(8), { p95FloorMs: 10 }).status).toBe('ok');
  });

  it('when the error rate grows by more than the margin in points, then the subject regressed', () => {
    const r = row(figures(100, 1000, 1), figures(100, 1000, 23));
    expect(r.status).toBe('regressed');
    expect(r.reasons).toEqual(['error rate 0.1 % → 2.3 % (margin +0.5 points)']);
    expect(r.current).toMatchObject({ requests: 1000, errors: 23, errorRate: 0.023 });
  });

  it('when the error rate grows by exactly the margin or less, then the subject is ok', () => {
    expect(row(figures(100, 1000, 1), figures(100, 1000, 6)).status).toBe('ok');
    expect(row(figures(100, 1000, 1), figures(100, 1000, 7)).status).toBe('regressed');
    expect(row(figures(100, 1000, 1), figures(100, 1000, 7), { errorPoints: 1 }).status).toBe('ok');
  });

  it('when both p95 and errors got worse, then both reasons are given', () => {
    expect(row(figures(182, 1000, 1), figures(260, 1000, 23)).reasons).toHaveLength(2);
  });

  it('when either side has too few requests, then the subject is listed as not judged, not flagged', () => {
    const r = row(figures(100, 49), figures(900, 1000, 500));
    expect(r).toMatchObject({ status: 'not judged', regressed: false, overall: false });
    expect(r.reasons).toEqual(['49 requests in the baseline (fewer than 50)']);
    expect(row(figures(100, 1000), figures(900, 12)).reasons).toEqual([
      '12 requests in this run (fewer than 50)',
    ]);
    expect(row(figures(100, 49), figures(900, 1000), { minRequests: 10 }).status).toBe('regressed');
  });

  it('when a subject is on one side only, then it is listed as new or missing, not flagged', () => {
    const comparison = compareSummaries(
      run({ 'GET /api/new': figures(100) }, { browse: figures(900) }),
      run({ 'GET /api/old': figures(100) }, { browse: figures(100) }),
    );
    expect(comparison.rows.map((r) => [r.subject, r.status])).toEqual([
      ['endpoint GET /api/new', 'new'],
      ['endpoint GET /api/old', 'missing'],
      ['journey browse', 'regressed'],
    ]);
    expect(comparison.rows[0]!.current?.p95Ms).toBe(100);
    expect(comparison.rows[1]!.baseline?.p95Ms).toBe(100);
    expect(comparison.regressed).toBe(true);
  });

  it('when the runs are of different profiles, then it refuses', () => {
    expect(() => compareSummaries(run({}, {}, { profile: 'smoke' }), run({}))).toThrow(SummaryError);
    expect(() => compareSummaries(run({}, {}, { profile: 'smoke' }), run({}))).toThrow(
      'the run is of profile "smoke" but the baseline of "average"',
    );
  });

  it('when the runs differ in target, duration or completeness, then the comparison notes it', () => {
    const comparison = compareSummaries(
      run({}, {}, { target: 'http://10.0.0.2:8080', durationS: 30, interrupted: true }),
      run({}),
    );
    expect(comparison.notes).toEqual([
      'the target differs: http://127.0.0.1:8080 in the baseline, http://10.0.0.2:8080 now',
      'the durations differ: 300 s in the baseline, 30 s now',
      'this run was interrupted: its figures cover only what ran',
    ]);
    expect(compareSummaries(run({}), run({})).notes).toEqual([]);
  });

  it('when no margins are given, then the defaults apply and are reported', () => {
    expect(compareSummaries(run({}), run({})).margins).toEqual(DEFAULT_MARGINS);
    expect(DEFAULT_MARGINS).toEqual({ p95Percent: 20, p95FloorMs: 5, errorPoints: 0.5, minRequests: 50 });
  });

  it('when rates are formatted, then small ones keep two decimals', () => {
    expect([0, 0.0004, 0.001, 0.023].map(percent)).toEqual(['0 %', '0.04 %', '0.1 %', '2.3 %']);
  });
});
