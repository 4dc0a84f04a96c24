// The summary format both engines write (k6 through handleSummary, the Node engine directly), so runs
// compare night to night whichever engine made them. Runtime-neutral.
import type { Measured, Verdict } from './slo.ts';
import { judge } from './slo.ts';

export interface SubjectFigures extends Measured {
  p50Ms: number;
  maxMs: number;
  /**
   * Every latency, as an HDR histogram in µs (1 µs to 60 s, 3 significant digits), compressed and
   * base64-encoded the way hdr-histogram-js's `encodeIntoCompressedBase64` does. Merging runs adds these
   * up (percentiles cannot be averaged). Absent when the engine kept percentiles only (k6's summary).
   */
  histogram?: string;
  /** Answers by HTTP status; `"0"` counts requests that got none (transport error or timeout). */
  statuses?: Record<string, number>;
}

/** One second of a run, over all requests answered in it. */
export interface TimelinePoint {
  /** Seconds from the start of the load (the point covers [second, second + 1)). */
  second: number;
  /** Journey iterations started in that second (the arrival rate the profile asked for, less drops). */
  arrivals: number;
  requests: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** That second's latencies, encoded like `SubjectFigures.histogram` (so merged timelines stay exact). */
  histogram?: string;
}

/** One endpoint's requests answered in one minute of a run. */
export interface MinutePoint {
  /** Minutes from the start of the load (the point covers seconds [60·minute, 60·minute + 60)). */
  minute: number;
  requests: number;
  p95Ms: number;
  /** That minute's latencies, encoded like `SubjectFigures.histogram` (so spans of minutes merge exactly). */
  histogram: string;
}

/** The p95 of one endpoint over a span of whole minutes [fromMinute, toMinute). */
export interface MinuteSpan {
  fromMinute: number;
  toMinute: number;
  requests: number;
  /** Read from the span's merged histograms (0 when it had no requests). */
  p95Ms: number;
}

/** Whether one endpoint's p95 stayed flat: the tail's p95 against the baseline's. */
export type FlatnessRow = {
  endpoint: string;
  baseline: MinuteSpan;
  tail: MinuteSpan;
} & (
  | {
      judged: true;
      /** tail.p95Ms / baseline.p95Ms. */
      ratio: number;
      /** ratio ≤ maxRatio. */
      passed: boolean;
    }
  | {
      /** Too few requests in a span: neither passed nor failed. */
      judged: false;
      reason: string;
    }
);

/**
 * Set for profiles that check it (soak): did every endpoint's p95 stay flat, the last `tail` minutes
 * against the `baseline` minutes (after the warm-up)?
 */
export interface Flatness {
  /** [from, to) in minutes of the run. */
  baselineMinutes: [number, number];
  /** [from, to): the last whole minutes of the run (absent when the run was too short). */
  tailMinutes?: [number, number];
  maxRatio: number;
  minRequests: number;
  /** Whole minutes the run lasted. */
  runMinutes: number;
  /** False when the run was too short or no endpoint had enough requests: then `reason` says why. */
  judged: boolean;
  reason?: string;
  /** Per endpoint, by name (empty when the run was too short). */
  endpoints: FlatnessRow[];
  /** False only when a judged endpoint drifted (a check that could not be judged fails nothing). */
  passed: boolean;
}

/** What the `breakpoint` profile found: the highest arrival rate at which every SLO held. */
export interface SloCapacity {
  /** Journey iterations per second (the profile's arrival rate) of the last window that met every SLO. */
  iterationsPerS: number;
  /** Requests per second answered in that window. */
  requestsPerS: number;
  /** The window that broke an SLO (absent when the ramp ended first, so the capacity is at least the above). */
  brokenAt?: { iterationsPerS: number; broken: string[] };
}

/** CPU time per completed journey of every process of the local instance the run loaded, and the load generator's. */
export interface CpuPerJourney {
  instance: string;
  journeys: number;
  /** ms of CPU per journey, by process (member name, or `load generator`). */
  perJourneyMs: Record<string, number>;
}

export const SUMMARY_FORMAT = 'stackdrill-load-summary/2';

export interface LoadSummary {
  format: typeof SUMMARY_FORMAT;
  engine: 'k6' | 'node';
  profile: string;
  target: string;
  /** ISO time the load started. */
  startedAt: string;
  durationS: number;
  endpoints: Record<string, SubjectFigures>;
  journeys: Record<string, SubjectFigures>;
  verdicts: Verdict[];
  passed: boolean;
  /** Second by second, for the report's charts (absent from k6's own summary). */
  timeline?: TimelinePoint[];
  /** Arrivals not started because `maxVUs` iterations were already in flight. */
  droppedIterations?: number;
  /** Stopped early (Ctrl-C): the figures cover what ran. */
  interrupted?: boolean;
  /** Set by the `breakpoint` profile. */
  capacity?: SloCapacity;
  /** Set when the target was a local instance (`pnpm load` read its processes' CPU time). */
  cpu?: CpuPerJourney;
  /**
   * Per endpoint, minute by minute (minutes without a request left out), for the soak's flatness
   * check (absent from k6's own summary and from summaries written before it).
   */
  minutes?: Record<string, MinutePoint[]>;
  /** Set by profiles with `flatness` (soak); a drift makes `passed` false as a broken SLO does. */
  flatness?: Flatness;
  /** How many runners' summaries this one merges (absent: one). */
  runners?: number;
  /** What happened to the target during the run (a fault in place, reverted, recovered), drawn on the timeline. */
  marks?: TimelineMark[];
}

/** A moment on the run's timeline, e.g. `freeze on redis-0: in place` at second 12. */
export interface TimelineMark {
  /** Seconds since the load started. */
  second: number;
  kind: 'fault' | 'revert' | 'recovered' | 'abort' | 'note';
  label: string;
}

/** A mark at an absolute time (ms since the epoch), before the run's start is known. */
export type TimedMark = Omit<TimelineMark, 'second'> & { at: number };

/** The summary with these marks on its timeline, in order, in seconds since the load started. */
export function withTimedMarks(summary: LoadSummary, marks: readonly TimedMark[]): LoadSummary {
  const start = Date.parse(summary.startedAt);
  return {
    ...summary,
    marks: [...marks]
      .sort((a, b) => a.at - b.at)
      .map(({ at, ...m }) => ({ ...m, second: Math.max(0, (at - start) / 1000) })),
  };
}

/** What k6 hands to handleSummary, as far as this module reads it. */
export interface K6SummaryData {
  state: { testRunDurationMs: number };
  metrics: Record<string, { values: Record<string, number> }>;
}

/**
 * Our summary from k6's: the per-endpoint (`name` tag) and per-journey (`journey` tag) sub-metrics
 * that the thresholds made k6 keep. Needs `summaryTrendStats` with med, p(95), p(99), max and count.
 */
export function fromK6Summary(data: K6SummaryData, meta: { profile: string; target: string }): LoadSummary {
  const subjects = (tag: 'name' | 'journey') => {
    const figures: Record<string, SubjectFigures> = {};
    const prefix = `http_req_duration{${tag}:`;
    for (const [metric, { values }] of Object.entries(data.metrics)) {
      if (!metric.startsWith(prefix)) continue;
      const subject = metric.slice(prefix.length, -1);
      const failed = data.metrics[`http_req_failed{${tag}:${subject}}`]?.values;
      const requests = values.count ?? 0;
      figures[subject] = {
        requests,
        errors: failed ? Math.round((failed.rate ?? 0) * requests) : 0,
        p50Ms: values.med ?? 0,
        p95Ms: values['p(95)'] ?? 0,
        p99Ms: values['p(99)'] ?? 0,
        maxMs: values.max ?? 0,
      };
    }
    return figures;
  };
  const endpoints = subjects('name');
  const journeys = subjects('journey');
  const verdicts = judge({ endpoints, journeys });
  return {
    format: SUMMARY_FORMAT,
    engine: 'k6',
    profile: meta.profile,
    target: meta.target,
    startedAt: new Date(Date.now() - data.state.testRunDurationMs).toISOString(),
    durationS: data.state.testRunDurationMs / 1000,
    endpoints,
    journeys,
    verdicts,
    passed: verdicts.every((v) => v.passed),
  };
}
