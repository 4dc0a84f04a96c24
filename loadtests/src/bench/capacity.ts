/** What one fixed-rate measurement says, as far as "sustained" is concerned. */
export interface RateOutcome {
  /** The rate asked for (requests per second). */
  targetRate: number;
  /** Requests answered as expected per second (see `Measurement.achievedRate`). */
  achievedRate: number;
  requests: number;
  errors: number;
  /** Arrivals not sent because too many were in flight. */
  dropped: number;
}

/** "Sustained": at least 99 % of the rate answered, nothing dropped, fewer than 0.1 % errors. */
export const SUSTAINED = { minAchieved: 0.99, maxErrorRate: 0.001 } as const;

export function isSustained(outcome: RateOutcome): boolean {
  return (
    outcome.achievedRate >= SUSTAINED.minAchieved * outcome.targetRate &&
    outcome.dropped === 0 &&
    outcome.errors < SUSTAINED.maxErrorRate * Math.max(1, outcome.requests)
  );
}

export interface CapacityStep<T extends RateOutcome> {
  rate: number;
  outcome: T;
  sustained: boolean;
  /** `ladder` (×factor up or down from the start) or `refine` (between the last held and the first failed). */
  phase: 'ladder' | 'refine';
}

export interface CapacitySearchOptions<T extends RateOutcome> {
  /** The first rate tried. */
  start: number;
  /** Each rung of the ladder is this times the last (default 1.25). */
  factor?: number;
  /** Rungs at most (up, or down when the start already fails); default 6. */
  ladderSteps?: number;
  /** Then this many halvings (geometric) of the gap between held and failed; default 2. */
  refineSteps?: number;
  measure(rate: number): Promise<T>;
  /** Sees each step as it is measured (progress lines). */
  onStep?(step: CapacityStep<T>): void;
}

export interface CapacityResult<T extends RateOutcome> {
  /** The highest rate measured as sustained; undefined when none was. */
  capacity: number | undefined;
  /** The lowest rate measured as not sustained above it; undefined when every rung held. */
  failedAt: number | undefined;
  steps: CapacityStep<T>[];
}

/**
 * The highest sustained rate, by open-model runs at fixed rates: up a ×`factor` ladder from `start`
 * until a rate is not sustained (or down it, when `start` already fails), then `refineSteps` runs at
 * the geometric middle of the last held and the first failed rate. Bounded: at most
 * `ladderSteps + refineSteps` measurements.
 */
export async function searchCapacity<T extends RateOutcome>(
  options: CapacitySearchOptions<T>,
): Promise<CapacityResult<T>> {
  const factor = options.factor ?? 1.25;
  const ladderSteps = options.ladderSteps ?? 6;
  const refineSteps = options.refineSteps ?? 2;
  if (!(factor > 1)) throw new RangeError(`factor must be > 1, got ${factor}`);
  if (!(options.start >= 1)) throw new RangeError(`start must be ≥ 1, got ${options.start}`);
  const steps: CapacityStep<T>[] = [];
  const tried = new Set<number>();
  let held: number | undefined;
  let failed: number | undefined;

  const step = async (rate: number, phase: CapacityStep<T>['phase']) => {
    tried.add(rate);
    const outcome = await options.measure(rate);
    const sustained = isSustained(outcome);
    const done = { rate, outcome, sustained, phase };
    steps.push(done);
    options.onStep?.(done);
    if (sustained) held = Math.max(held ?? 0, rate);
    else failed = Math.min(failed ?? Infinity, rate);
    return sustained;
  };

  let rate = Math.round(options.start);
  const up = await step(rate, 'ladder');
  for (let i = 1; i < ladderSteps; i++) {
    rate = Math.max(1, Math.round(up ? rate * factor : rate / factor));
    if (tried.has(rate)) break;
    if ((await step(rate, 'ladder')) !== up) break;
  }
  for (let i = 0; i < refineSteps && held !== undefined && failed !== undefined; i++) {
    const middle = Math.round(Math.sqrt(held * failed));
    if (middle <= held || middle >= failed || tried.has(middle)) break;
    await step(middle, 'refine');
  }
  return { capacity: held, failedAt: failed, steps };
}
