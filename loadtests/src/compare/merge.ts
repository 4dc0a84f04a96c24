// Several runners' summaries of one run, made into one: histograms are decoded and added, and the
// percentiles are read from the sums. Averaging percentiles would be wrong (the p95 of two halves is
// not the mean of their p95s), which is why the summary format carries histograms at all.
import { Tally, type WireTally } from '../engine/tally.ts';
import { judge } from '../model/slo.ts';
import {
  SUMMARY_FORMAT,
  type LoadSummary,
  type SubjectFigures,
  type TimelinePoint,
} from '../model/summary.ts';

/** A summary, or a set of them, that cannot be merged or compared; the message names the file and what to do. */
export class SummaryError extends Error {
  override name = 'SummaryError';
}

/** What a summary is called in errors: its file name when the caller knows it. */
type Label = (index: number) => string;

/** Adds one runner's tally in, naming it when its histogram does not decode. */
function addTally(into: Tally, from: WireTally, where: () => string): void {
  try {
    into.add(from);
  } catch (error) {
    throw new SummaryError(
      `${where()}: the histogram does not decode (${(error as Error).message}); the file is damaged, write it again with \`pnpm load\``,
    );
  }
}

/**
 * Merges the summaries of runners that shared one run (same format, profile and target, each with
 * its histograms): per endpoint and journey and per timeline second, requests, errors and statuses
 * are added and histograms summed, then p50/p95/p99/max are read from the sums and the verdicts are
 * judged again. Timelines are aligned on the clock: a runner's second s is the merged second
 * `s + round((its startedAt − the earliest startedAt) / 1 s)`. The breakpoint's `capacity` is one
 * runner's finding and is not carried over; nor are the per-endpoint `minutes` and the soak's
 * `flatness` (runners' minutes do not start on the same second).
 *
 * @param labels what to call each summary in errors (its file), in the same order.
 * @throws SummaryError when a summary has no histograms (k6's own summary), the format is not
 *   SUMMARY_FORMAT, or the summaries are not of one run.
 */
export function mergeSummaries(summaries: LoadSummary[], labels: string[] = []): LoadSummary {
  const label: Label = (i) => labels[i] ?? `summary ${i + 1}`;
  const first = summaries[0];
  if (!first) throw new SummaryError('there are no summaries to merge');
  checkSameRun(summaries, label);

  const starts = summaries.map((s) => Date.parse(s.startedAt));
  const earliest = Math.min(...starts);
  const offsets = starts.map((start) => Math.round((start - earliest) / 1000));

  const endpoints = mergeSubjects(summaries, 'endpoints', label);
  const journeys = mergeSubjects(summaries, 'journeys', label);
  const timeline = mergeTimelines(summaries, offsets, label);
  const verdicts = judge({ endpoints, journeys });
  const dropped = summaries.some((s) => s.droppedIterations !== undefined)
    ? summaries.reduce((sum, s) => sum + (s.droppedIterations ?? 0), 0)
    : undefined;

  return {
    format: SUMMARY_FORMAT,
    engine: first.engine,
    profile: first.profile,
    target: first.target,
    startedAt: new Date(earliest).toISOString(),
    durationS: Math.max(...summaries.map((s, i) => (starts[i]! - earliest) / 1000 + s.durationS)),
    endpoints,
    journeys,
    verdicts,
    passed: verdicts.every((v) => v.passed),
    ...(timeline ? { timeline } : {}),
    ...(dropped !== undefined ? { droppedIterations: dropped } : {}),
    ...(summaries.some((s) => s.interrupted) ? { interrupted: true } : {}),
    runners: summaries.reduce((sum, s) => sum + (s.runners ?? 1), 0),
  };
}

/** Refuses summaries that are not the same run of the same load, or that carry no histograms. */
function checkSameRun(summaries: LoadSummary[], label: Label): void {
  const first = summaries[0]!;
  summaries.forEach((s, i) => {
    if (s.format !== SUMMARY_FORMAT) {
      throw new SummaryError(
        `${label(i)}: format "${String(s.format)}" is not ${SUMMARY_FORMAT}; run the load again with this version of \`pnpm load\``,
      );
    }
    if (Number.isNaN(Date.parse(s.startedAt)))
      throw new SummaryError(`${label(i)}: startedAt "${String(s.startedAt)}" is not a time`);
    for (const kind of ['endpoints', 'journeys'] as const) {
      for (const [name, f] of Object.entries(s[kind])) {
        if (f.histogram === undefined && f.requests > 0) {
          throw new SummaryError(
            `${label(i)}: ${kind.slice(0, -1)} "${name}" has percentiles but no histogram, and percentiles ` +
              `cannot be merged (k6's own summary keeps none); merge summaries written by the node ` +
              `engine (\`pnpm load <profile> --engine node\`), or compare this one on its own`,
          );
        }
      }
    }
    if (i === 0) return;
    const differs = (what: string, a: string, b: string) =>
      new SummaryError(
        `${label(i)} is not of the same run as ${label(0)}: ${what} "${b}" instead of "${a}"; ` +
          'merge only the summaries of the runners of one run',
      );
    if (s.profile !== first.profile) throw differs('profile', first.profile, s.profile);
    if (s.target !== first.target) throw differs('target', first.target, s.target);
    if (s.engine !== first.engine) throw differs('engine', first.engine, s.engine);
  });
  // Runners of one run overlap in time; summaries that do not are different runs.
  const spans = summaries.map((s) => {
    const start = Date.parse(s.startedAt);
    return { start, end: start + s.durationS * 1000 };
  });
  const latestStart = Math.max(...spans.map((s) => s.start));
  const earliestEnd = Math.min(...spans.map((s) => s.end));
  if (latestStart > earliestEnd) {
    const late = spans.findIndex((s) => s.start === latestStart);
    const early = spans.findIndex((s) => s.end === earliestEnd);
    throw new SummaryError(
      `${label(late)} started (${summaries[late]!.startedAt}) after ${label(early)} had ended, so they ` +
        'are not runners of one run; merge only the summaries of one run',
    );
  }
}

function mergeSubjects(
  summaries: LoadSummary[],
  kind: 'endpoints' | 'journeys',
  label: Label,
): Record<string, SubjectFigures> {
  const names = [...new Set(summaries.flatMap((s) => Object.keys(s[kind])))].sort();
  const merged: Record<string, SubjectFigures> = {};
  for (const name of names) {
    const tally = new Tally();
    try {
      // Each runner's max is exact; a decoded histogram's is only the top of its bucket.
      let maxMs = 0;
      let withStatuses = false;
      summaries.forEach((s, i) => {
        const f = s[kind][name];
        if (!f) return;
        maxMs = Math.max(maxMs, f.maxMs);
        withStatuses ||= f.statuses !== undefined;
        addTally(
          tally,
          { requests: f.requests, errors: f.errors, statuses: f.statuses ?? {}, histogram: f.histogram! },
          () => `${label(i)}: ${kind.slice(0, -1)} "${name}"`,
        );
      });
      const { statuses, ...figures } = tally.figures();
      merged[name] = { ...figures, maxMs, ...(withStatuses ? { statuses } : {}) };
    } finally {
      tally.destroy();
    }
  }
  return merged;
}

function mergeTimelines(
  summaries: LoadSummary[],
  offsets: number[],
  label: Label,
): TimelinePoint[] | undefined {
  const having = summaries.filter((s) => s.timeline !== undefined).length;
  if (having === 0) return undefined;
  if (having < summaries.length) {
    const without = summaries.findIndex((s) => s.timeline === undefined);
    throw new SummaryError(
      `${label(without)} has no timeline while the others have one, so the merged timeline would miss ` +
        'its requests; merge summaries written by the same engine',
    );
  }
  const seconds = new Map<number, { arrivals: number; tally: Tally }>();
  try {
    summaries.forEach((s, i) => {
      for (const point of s.timeline!) {
        if (point.histogram === undefined && point.requests > 0) {
          throw new SummaryError(
            `${label(i)}: timeline second ${point.second} has no histogram, so it cannot be merged; ` +
              'merge summaries written by the node engine',
          );
        }
        const second = point.second + offsets[i]!;
        let merged = seconds.get(second);
        if (!merged) seconds.set(second, (merged = { arrivals: 0, tally: new Tally() }));
        merged.arrivals += point.arrivals;
        if (point.histogram === undefined) continue; // a second without requests
        addTally(
          merged.tally,
          { requests: point.requests, errors: point.errors, statuses: {}, histogram: point.histogram },
          () => `${label(i)}: timeline second ${point.second}`,
        );
      }
    });
    return [...seconds]
      .sort(([a], [b]) => a - b)
      .map(([second, { arrivals, tally }]) => {
        const { requests, errors, p50Ms, p95Ms, p99Ms, histogram } = tally.figures();
        return { second, arrivals, requests, errors, p50Ms, p95Ms, p99Ms, histogram: histogram! };
      });
  } finally {
    for (const m of seconds.values()) m.tally.destroy();
  }
}
