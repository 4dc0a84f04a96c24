import { z } from 'zod';

/**
 * An experiment as data, in Chaos Toolkit's vocabulary (title, steady-state-hypothesis with probes
 * and tolerances, method of actions and probes with pauses, rollbacks), so its users read it at
 * once. Providers are of type `stackdrill`: an action names a fault (`pnpm chaos list`) and a target
 * selector; a probe is `stack-healthy` or `slo`. `load` and `abort` are stackdrill's own keys: the
 * background load the hypothesis is judged on, and the bounds that stop the method early.
 */

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/;

/** Seconds, as a number or as `30s`, `2m`, `1m30s`. */
export const Duration = z.union([
  z.number().nonnegative().max(86_400),
  z
    .string()
    .regex(DURATION, 'a duration such as 30s, 2m or 1m30s (or a number of seconds)')
    .refine((s) => s !== '', 'a duration such as 30s, 2m or 1m30s')
    .transform((s) => {
      const [, h, m, sec] = DURATION.exec(s)!;
      return Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(sec ?? 0);
    }),
]);

const Name = z.string().min(1).max(120);

const Pauses = z.strictObject({ before: Duration.optional(), after: Duration.optional() });

/** `stack-healthy`: every component's probe says healthy. `slo`: the background load over the window is within the alert levels. */
const ProbeProvider = z.strictObject({
  type: z.literal('stackdrill'),
  probe: z.enum(['stack-healthy', 'slo']),
  /** The `slo` probe's window: the last this-many seconds of load (default 10 s). */
  window: Duration.optional(),
});

export const Probe = z.strictObject({
  type: z.literal('probe'),
  name: Name,
  /** What the probe must answer for the hypothesis to hold: true (the only tolerance these probes have). */
  tolerance: z.literal(true).default(true),
  provider: ProbeProvider,
  pauses: Pauses.optional(),
});

const FaultProvider = z.strictObject({
  type: z.literal('stackdrill'),
  fault: Name,
  target: Name,
  /** How long the fault stays before it is reverted (default 10 s; a restart ignores it). */
  duration: Duration.optional(),
  /** The fault's magnitude, as `--set` gives it on the CLI. */
  arguments: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const Action = z.strictObject({
  type: z.literal('action'),
  name: Name,
  provider: FaultProvider,
  pauses: Pauses.optional(),
  /** Run alongside the next steps instead of before them (Chaos Toolkit's `background`). */
  background: z.boolean().optional(),
});

/** The only rollback: undo every fault still recorded on the instance (each fault also reverts itself). */
const Rollback = z.strictObject({
  type: z.literal('action'),
  name: Name,
  provider: z.strictObject({ type: z.literal('stackdrill'), action: z.literal('revert-all') }),
});

export const Experiment = z.strictObject({
  version: z.string().optional(),
  title: Name,
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  'steady-state-hypothesis': z.strictObject({
    title: Name,
    probes: z.array(Probe).min(1),
  }),
  method: z.array(z.discriminatedUnion('type', [Action, Probe])).min(1),
  rollbacks: z.array(Rollback).optional(),
  /** The background load the hypothesis is judged on: a profile of the SLO spec at its rate (default smoke). */
  load: z
    .strictObject({
      profile: z.string().default('smoke'),
      /** Arrivals per second instead of the profile's. */
      rate: z.number().positive().max(1000).optional(),
      /** Load before the hypothesis is first checked (default 10 s). */
      warmup: Duration.optional(),
    })
    .optional(),
  /** Stop the method early (reverting its faults) when the load over `window` is worse than this. */
  abort: z
    .strictObject({
      errorRate: z.number().min(0).max(1).optional(),
      p95Ms: z.number().positive().optional(),
      window: Duration.optional(),
    })
    .optional(),
  /** How long after the method the hypothesis may take to hold again (default 120 s). */
  recovery: z.strictObject({ within: Duration }).optional(),
});

export type Experiment = z.output<typeof Experiment>;
export type ExperimentAction = z.output<typeof Action>;
export type ExperimentProbe = z.output<typeof Probe>;
