import type { Experiment } from '@stackdrill/chaos';

export interface FaultStep {
  name: string;
  fault: 'kill' | 'freeze' | 'restart';
  /** A selector or a member name (`pnpm chaos --help`). */
  target: string;
  durationS: number;
  /** Seconds before the next step; 0 with `background` runs the next alongside this one. */
  afterS?: number;
  background?: boolean;
}

/**
 * A drill's experiment: the steady state every drill holds (the stack healthy, the background
 * load within the SLO spec's alert levels), its fault steps, no abort bound (a drill measures the
 * outage instead of cutting it short), and a recovery bound.
 */
export function drillExperiment(options: {
  title: string;
  steps: FaultStep[];
  recoveryS?: number;
  warmupS?: number;
}): Experiment {
  return {
    title: options.title,
    'steady-state-hypothesis': {
      title: 'Every component is healthy and the load is within the alert levels',
      probes: [
        {
          type: 'probe',
          name: 'stack-healthy',
          tolerance: true,
          provider: { type: 'stackdrill', probe: 'stack-healthy' },
        },
        {
          type: 'probe',
          name: 'load-within-alert-levels',
          tolerance: true,
          provider: { type: 'stackdrill', probe: 'slo', window: 10 },
        },
      ],
    },
    method: options.steps.map((s) => ({
      type: 'action' as const,
      name: s.name,
      provider: { type: 'stackdrill' as const, fault: s.fault, target: s.target, duration: s.durationS },
      ...(s.afterS ? { pauses: { after: s.afterS } } : {}),
      ...(s.background ? { background: true } : {}),
    })),
    rollbacks: [
      { type: 'action', name: 'revert-every-fault', provider: { type: 'stackdrill', action: 'revert-all' } },
    ],
    load: { profile: 'smoke', warmup: options.warmupS ?? 10 },
    recovery: { within: options.recoveryS ?? 120 },
  };
}
