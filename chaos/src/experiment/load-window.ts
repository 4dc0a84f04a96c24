import type { Progress } from '@stackdrill/loadtests';

/** One second of the background load, as its progress reported it. */
interface Second {
  at: number;
  requests: number;
  errors: number;
  p95Ms: number;
}

export interface WindowFigures {
  seconds: number;
  requests: number;
  errors: number;
  errorRate: number;
  /** The worst second's p95 in the window (a conservative stand-in for the window's own p95). */
  p95Ms: number;
}

/**
 * The background load's recent seconds, for the `slo` probe and the abort bounds: what the last N
 * seconds of load saw, from the engine's per-second progress (cumulative errors turned into each
 * second's own).
 */
export class LoadWindow {
  private readonly seconds: Second[] = [];
  private lastErrors = 0;

  observe(progress: Progress, at = Date.now()): void {
    this.seconds.push({
      at,
      requests: progress.rate,
      errors: progress.errors - this.lastErrors,
      p95Ms: progress.p95Ms,
    });
    this.lastErrors = progress.errors;
    // An hour of seconds is more than any window asks for.
    if (this.seconds.length > 3600) this.seconds.shift();
  }

  /**
   * The figures of the seconds that ended in the last `seconds` before `now` (undefined: no second
   * of load in it). Seconds in which nothing was answered count as failing: a frozen target answers
   * nothing and errs nothing, and must not look healthy.
   */
  last(seconds: number, now = Date.now()): WindowFigures | undefined {
    const inWindow = this.seconds.filter((s) => s.at > now - seconds * 1000 && s.at <= now);
    if (inWindow.length === 0) return undefined;
    const requests = inWindow.reduce((sum, s) => sum + s.requests, 0);
    if (requests === 0)
      return {
        seconds: inWindow.length,
        requests: 0,
        errors: 0,
        errorRate: 1,
        p95Ms: Number.POSITIVE_INFINITY,
      };
    const errors = inWindow.reduce((sum, s) => sum + s.errors, 0);
    return {
      seconds: inWindow.length,
      requests,
      errors,
      errorRate: errors / requests,
      p95Ms: Math.max(...inWindow.filter((s) => s.requests > 0).map((s) => s.p95Ms)),
    };
  }
}
