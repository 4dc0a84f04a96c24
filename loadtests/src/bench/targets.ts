/** The targets for the engine, measured against wrk and hey on the same cores. */
export const TARGETS = {
  /** Engine's highest sustained rate ≥ this × wrk's rate. */
  capacityRatio: 0.8,
  /** Schedule accuracy is measured at this fixed rate (requests per second)... */
  accuracyRate: 2000,
  /** ... and the achieved rate must be within this fraction of it. */
  accuracyTolerance: 0.01,
  /** At a rate below saturation, the engine's p50 within this fraction of hey's. */
  p50Tolerance: 0.2,
} as const;

/** The three figures, as measured. */
export interface EngineBenchFigures {
  /** Highest sustained rate of the engine (undefined: not even the lowest rate tried held). */
  engineCapacity: number | undefined;
  wrkCapacity: number;
  /** Achieved rate of the engine asked for `TARGETS.accuracyRate`. */
  accuracyAchieved: number;
  engineP50Ms: number;
  heyP50Ms: number;
}

export interface TargetVerdict {
  figure: 'capacity' | 'accuracy' | 'agreement';
  /** capacity: engine ÷ wrk; accuracy: achieved ÷ asked − 1; agreement: engine p50 ÷ hey p50 − 1. */
  value: number;
  target: string;
  met: boolean;
}

export function judgeTargets(f: EngineBenchFigures): TargetVerdict[] {
  const capacity = (f.engineCapacity ?? 0) / f.wrkCapacity;
  const accuracy = f.accuracyAchieved / TARGETS.accuracyRate - 1;
  const agreement = f.engineP50Ms / f.heyP50Ms - 1;
  return [
    {
      figure: 'capacity',
      value: capacity,
      target: `≥ ${TARGETS.capacityRatio} × wrk`,
      met: capacity >= TARGETS.capacityRatio,
    },
    {
      figure: 'accuracy',
      value: accuracy,
      target: `within ${TARGETS.accuracyTolerance * 100} %`,
      // Compared as differences, not ratios, so a figure exactly on the bound is met.
      met:
        Math.abs(f.accuracyAchieved - TARGETS.accuracyRate) <=
        TARGETS.accuracyTolerance * TARGETS.accuracyRate,
    },
    {
      figure: 'agreement',
      value: agreement,
      target: `within ${TARGETS.p50Tolerance * 100} % of hey`,
      // NaN (hey answered nothing, or a p50 of 0) is not agreement.
      met: Math.abs(f.engineP50Ms - f.heyP50Ms) <= TARGETS.p50Tolerance * f.heyP50Ms,
    },
  ];
}
