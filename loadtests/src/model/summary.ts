// The summary format both engines write (k6 through handleSummary, the Node engine directly), so runs
// compare night to night whichever engine made them. Runtime-neutral.
import type { Measured, Verdict } from './slo.ts';
import { judge } from './slo.ts';

export interface SubjectFigures extends Measured {
  p50Ms: number;
  maxMs: number;
}

export interface LoadSummary {
  format: 'stackdrill-load-summary/1';
  engine: 'k6' | 'node';
  profile: string;
  target: string;
  durationS: number;
  endpoints: Record<string, SubjectFigures>;
  journeys: Record<string, SubjectFigures>;
  verdicts: Verdict[];
  passed: boolean;
  /** Arrivals not started because `maxVUs` iterations were already in flight. */
  droppedIterations?: number;
  /** Stopped early (Ctrl-C): the figures cover what ran. */
  interrupted?: boolean;
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
    format: 'stackdrill-load-summary/1',
    engine: 'k6',
    profile: meta.profile,
    target: meta.target,
    durationS: data.state.testRunDurationMs / 1000,
    endpoints,
    journeys,
    verdicts,
    passed: verdicts.every((v) => v.passed),
  };
}
