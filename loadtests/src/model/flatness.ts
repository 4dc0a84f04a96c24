// Whether a long run's latency stayed flat (the soak's check for leaks and slow drift): per endpoint,
// the p95 of the run's last whole minutes against the p95 of a span just after the warm-up, each read
// from the span's merged per-minute histograms (the p95 of five minutes is not the mean of their
// p95s). Pure: the summary's minutes in, the verdict out; the CLI prints it. Unlike the rest of
// model/, it decodes histograms (hdr-histogram-js, through Tally), so k6 must not import it.
import { Tally } from '../engine/tally.ts';
import type { Flatness, FlatnessRow, LoadSummary, MinutePoint, MinuteSpan } from './summary.ts';

/** The baseline: minutes [5, 10) of the run, once the warm-up (pools, caches, JIT) is over. */
export const FLAT_BASELINE_MINUTES: readonly [from: number, to: number] = [5, 10];
/** The tail: the run's last 5 whole minutes. */
export const FLAT_TAIL_MINUTES = 5;
/** The tail's p95 may be at most this multiple of the baseline's (20 % slower). */
export const FLAT_MAX_RATIO = 1.2;
/** An endpoint with fewer requests than this in either span is not judged (a few requests make no p95). */
export const FLAT_MIN_REQUESTS = 50;
/** The shortest run judged (15 min): its tail starts where the baseline ends, or later. */
export const FLAT_MIN_RUN_MINUTES = FLAT_BASELINE_MINUTES[1] + FLAT_TAIL_MINUTES;

/** `minutes 5-10` for [5, 10). */
export const minutesLabel = ([from, to]: readonly [number, number]) => `minutes ${from}-${to}`;

/**
 * Judges whether every endpoint's p95 stayed flat: the p95 of the last FLAT_TAIL_MINUTES whole
 * minutes of the run may be at most FLAT_MAX_RATIO times the p95 of FLAT_BASELINE_MINUTES. A minute
 * is whole when the run lasted past its end (`durationS` ≥ 60 · (minute + 1)), so a last partial
 * minute (the drain) is left out. Runs shorter than FLAT_MIN_RUN_MINUTES are not judged; endpoints
 * with fewer than FLAT_MIN_REQUESTS requests in either span are listed as not judged. Only a judged
 * endpoint that drifted makes `passed` false.
 *
 * @param minutes the summary's `minutes` (absent in summaries written before it: not judged).
 * @param durationS how long the run lasted (the summary's `durationS`).
 */
export function judgeFlatness(
  minutes: Record<string, MinutePoint[]> | undefined,
  durationS: number,
): Flatness {
  const runMinutes = Number.isFinite(durationS) && durationS > 0 ? Math.floor(durationS / 60) : 0;
  const base = {
    baselineMinutes: [...FLAT_BASELINE_MINUTES] as [number, number],
    maxRatio: FLAT_MAX_RATIO,
    minRequests: FLAT_MIN_REQUESTS,
    runMinutes,
  };
  const notJudged = (reason: string): Flatness => ({
    ...base,
    judged: false,
    reason,
    endpoints: [],
    passed: true,
  });
  if (runMinutes < FLAT_MIN_RUN_MINUTES) {
    return notJudged(
      `the run lasted ${runMinutes} whole minute${runMinutes === 1 ? '' : 's'}; flatness is judged on runs of at least ${FLAT_MIN_RUN_MINUTES}`,
    );
  }
  if (!minutes) return notJudged('the summary has no per-minute figures');

  const tailMinutes: [number, number] = [runMinutes - FLAT_TAIL_MINUTES, runMinutes];
  const endpoints = Object.keys(minutes)
    .sort()
    .map((name) => judgeEndpoint(name, minutes[name]!, tailMinutes));
  const judged = endpoints.some((row) => row.judged);
  return {
    ...base,
    tailMinutes,
    judged,
    ...(judged
      ? {}
      : {
          reason: `no endpoint had ${FLAT_MIN_REQUESTS} requests in both ${minutesLabel(FLAT_BASELINE_MINUTES)} and ${minutesLabel(tailMinutes)}`,
        }),
    endpoints,
    passed: endpoints.every((row) => !row.judged || row.passed),
  };
}

/** The summary with its flatness judged in: a drift makes it fail as a broken SLO does. */
export function withFlatness(summary: LoadSummary): LoadSummary {
  const flatness = judgeFlatness(summary.minutes, summary.durationS);
  return { ...summary, flatness, passed: summary.passed && flatness.passed };
}

function judgeEndpoint(
  endpoint: string,
  points: MinutePoint[],
  tailMinutes: readonly [number, number],
): FlatnessRow {
  const baseline = span(points, FLAT_BASELINE_MINUTES);
  const tail = span(points, tailMinutes);
  const few = [baseline, tail]
    .filter((s) => s.requests < FLAT_MIN_REQUESTS)
    .map((s) => `${s.requests} requests in ${minutesLabel([s.fromMinute, s.toMinute])}`);
  if (few.length) {
    return {
      endpoint,
      baseline,
      tail,
      judged: false,
      reason: `${few.join(', ')} (fewer than ${FLAT_MIN_REQUESTS})`,
    };
  }
  // Every latency is recorded as at least 1 µs, so a span with requests has a p95 above 0.
  const ratio = tail.p95Ms / baseline.p95Ms;
  return { endpoint, baseline, tail, judged: true, ratio, passed: ratio <= FLAT_MAX_RATIO };
}

/** The p95 over minutes [from, to), from the sum of their histograms. */
function span(points: MinutePoint[], [from, to]: readonly [number, number]): MinuteSpan {
  const tally = new Tally();
  try {
    for (const p of points) {
      if (p.minute >= from && p.minute < to)
        tally.add({ requests: p.requests, errors: 0, statuses: {}, histogram: p.histogram });
    }
    return { fromMinute: from, toMinute: to, requests: tally.requests, p95Ms: tally.percentileMs(95) };
  } finally {
    tally.destroy();
  }
}
