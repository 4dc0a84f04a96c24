// A run against its baseline: which endpoints and journeys got slower or fail more often than a
// margin allows. Pure: summaries in, rows out; the CLI prints them.
import type { LoadSummary, SubjectFigures } from '../model/summary.ts';
import { SummaryError } from './merge.ts';

/** How much worse a subject may get before it counts as a regression. */
export interface Margins {
  /** p95 may grow by this many percent of the baseline's. */
  p95Percent: number;
  /** …and a growth smaller than this many ms never counts (2 ms → 3 ms on a cache hit is noise). */
  p95FloorMs: number;
  /** The error rate may grow by this many percentage points (0.5: 0.1 % → 0.6 % is still fine). */
  errorPoints: number;
  /** A subject with fewer requests than this on either side is listed, not judged. */
  minRequests: number;
}

export const DEFAULT_MARGINS: Margins = { p95Percent: 20, p95FloorMs: 5, errorPoints: 0.5, minRequests: 50 };

/** What one side measured for a subject. */
export interface Side {
  requests: number;
  errors: number;
  /** 0 to 1. */
  errorRate: number;
  p95Ms: number;
}

export type RowStatus = 'ok' | 'regressed' | 'not judged' | 'new' | 'missing';

export interface ComparisonRow {
  kind: 'endpoint' | 'journey';
  name: string;
  /** `endpoint GET /api/products`, as the SLO verdicts name it. */
  subject: string;
  /** `new`: only in the current run; `missing`: only in the baseline. */
  status: RowStatus;
  regressed: boolean;
  baseline?: Side;
  current?: Side;
  /** Change of p95 in percent of the baseline's (absent when a side is missing or the baseline's is 0). */
  p95ChangePercent?: number;
  /** Why it regressed, or why it was not judged, in words. */
  reasons: string[];
}

export interface Comparison {
  profile: string;
  margins: Margins;
  current: RunInfo;
  baseline: RunInfo;
  rows: ComparisonRow[];
  /** True when any row regressed. */
  regressed: boolean;
  /** Differences between the runs that make the comparison less telling (target, duration, …). */
  notes: string[];
}

interface RunInfo {
  startedAt: string;
  engine: string;
  target: string;
  durationS: number;
  runners: number;
}

/**
 * Compares a run with its baseline per endpoint and per journey. A subject regressed when its p95
 * grew by more than `p95Percent` % and by at least `p95FloorMs`, or its error rate grew by more than
 * `errorPoints` percentage points. Subjects with fewer than `minRequests` requests on either side
 * are "not judged"; those on one side only are "new" or "missing"; neither fails the comparison.
 *
 * @throws SummaryError when the two runs are of different profiles.
 */
export function compareSummaries(
  current: LoadSummary,
  baseline: LoadSummary,
  margins: Partial<Margins> = {},
): Comparison {
  const m: Margins = { ...DEFAULT_MARGINS, ...margins };
  if (current.profile !== baseline.profile) {
    throw new SummaryError(
      `the run is of profile "${current.profile}" but the baseline of "${baseline.profile}"; ` +
        'compare against a baseline of the same profile',
    );
  }
  const rows: ComparisonRow[] = [];
  for (const kind of ['endpoint', 'journey'] as const) {
    const key = `${kind}s` as const;
    const names = [...new Set([...Object.keys(baseline[key]), ...Object.keys(current[key])])].sort();
    for (const name of names)
      rows.push(compareSubject(kind, name, baseline[key][name], current[key][name], m));
  }
  return {
    profile: current.profile,
    margins: m,
    current: info(current),
    baseline: info(baseline),
    rows,
    regressed: rows.some((r) => r.regressed),
    notes: notes(current, baseline),
  };
}

function compareSubject(
  kind: 'endpoint' | 'journey',
  name: string,
  before: SubjectFigures | undefined,
  after: SubjectFigures | undefined,
  m: Margins,
): ComparisonRow {
  const row = { kind, name, subject: `${kind} ${name}`, regressed: false };
  const baseline = before && side(before);
  const current = after && side(after);
  if (!baseline) return { ...row, status: 'new', current: current!, reasons: ['not in the baseline'] };
  if (!current) return { ...row, status: 'missing', baseline, reasons: ['not in this run'] };
  const p95ChangePercent =
    baseline.p95Ms > 0 ? ((current.p95Ms - baseline.p95Ms) / baseline.p95Ms) * 100 : undefined;
  const both = { ...row, baseline, current, ...(p95ChangePercent !== undefined ? { p95ChangePercent } : {}) };

  const few = [
    ...(baseline.requests < m.minRequests ? [`${baseline.requests} requests in the baseline`] : []),
    ...(current.requests < m.minRequests ? [`${current.requests} requests in this run`] : []),
  ];
  if (few.length) {
    return { ...both, status: 'not judged', reasons: [`${few.join(', ')} (fewer than ${m.minRequests})`] };
  }

  const reasons: string[] = [];
  const growthMs = current.p95Ms - baseline.p95Ms;
  if (growthMs > (baseline.p95Ms * m.p95Percent) / 100 && growthMs >= m.p95FloorMs) {
    const change = p95ChangePercent === undefined ? '' : `${signed(Math.round(p95ChangePercent))} %, `;
    reasons.push(`p95 ${ms(baseline.p95Ms)} → ${ms(current.p95Ms)} (${change}margin ${m.p95Percent} %)`);
  }
  // In points, with a little slack so 0.1 % → 0.6 % at a 0.5-point margin is not flagged by rounding.
  if ((current.errorRate - baseline.errorRate) * 100 > m.errorPoints + 1e-9) {
    reasons.push(
      `error rate ${percent(baseline.errorRate)} → ${percent(current.errorRate)} (margin +${m.errorPoints} points)`,
    );
  }
  return { ...both, status: reasons.length ? 'regressed' : 'ok', regressed: reasons.length > 0, reasons };
}

function side(f: SubjectFigures): Side {
  return {
    requests: f.requests,
    errors: f.errors,
    errorRate: f.requests ? f.errors / f.requests : 0,
    p95Ms: f.p95Ms,
  };
}

function info(s: LoadSummary): RunInfo {
  return {
    startedAt: s.startedAt,
    engine: s.engine,
    target: s.target,
    durationS: s.durationS,
    runners: s.runners ?? 1,
  };
}

function notes(current: LoadSummary, baseline: LoadSummary): string[] {
  const notes: string[] = [];
  if (current.target !== baseline.target)
    notes.push(`the target differs: ${baseline.target} in the baseline, ${current.target} now`);
  if (current.engine !== baseline.engine)
    notes.push(`the engine differs: ${baseline.engine} in the baseline, ${current.engine} now`);
  const longer = Math.max(current.durationS, baseline.durationS);
  if (longer > 0 && Math.abs(current.durationS - baseline.durationS) / longer > 0.2) {
    notes.push(
      `the durations differ: ${baseline.durationS.toFixed(0)} s in the baseline, ${current.durationS.toFixed(0)} s now`,
    );
  }
  if (current.interrupted) notes.push('this run was interrupted: its figures cover only what ran');
  if (baseline.interrupted) notes.push('the baseline run was interrupted: its figures cover only what ran');
  return notes;
}

/** `182 ms`, `2.4 ms`. */
export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ms`;
}

/** A rate (0 to 1) as `2.3 %`, `0.04 %`, `0 %`. */
export function percent(rate: number): string {
  const p = rate * 100;
  if (p === 0) return '0 %';
  return `${p < 0.1 ? p.toFixed(2) : p.toFixed(1)} %`;
}

/** `+43`, `-12`, `0`. */
export function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}
