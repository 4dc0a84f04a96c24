// Load profiles as data, in k6's scenario vocabulary (executors, stages): the k6 scripts pass them to
// k6 as they are, and the Node engine schedules the same arrivals. Runtime-neutral (k6 imports it).
import type { JourneyName } from './slo.ts';

/** A duration as k6 writes it: `30s`, `5m`, `2h`, `1m30s`. */
export type Duration = string;

export type Scenario =
  | {
      executor: 'constant-arrival-rate';
      rate: number;
      duration: Duration;
      preAllocatedVUs: number;
      maxVUs: number;
    }
  | {
      executor: 'ramping-arrival-rate';
      startRate: number;
      stages: { target: number; duration: Duration }[];
      preAllocatedVUs: number;
      maxVUs: number;
    };

export interface Profile {
  description: string;
  /** Journey iterations started per second (timeUnit 1 s), spread over the mix. */
  scenario: Scenario;
  /** Relative weights of the journeys an iteration runs. */
  mix: Partial<Record<JourneyName, number>>;
  /** Stop as soon as an SLO breaks (the breakpoint search). */
  abortOnFail?: boolean;
}

/** Shoppers mostly look; some buy; the admin glances at the dashboard. */
export const SHOPPER_MIX: Profile['mix'] = {
  browse: 50,
  search: 25,
  'sign-in': 10,
  'checkout-and-pay': 10,
  'admin-dashboard': 5,
};

export const PROFILES = {
  smoke: {
    description: 'a trickle of every journey, to prove the system and the scripts work',
    scenario: { executor: 'constant-arrival-rate', rate: 2, duration: '30s', preAllocatedVUs: 5, maxVUs: 20 },
    mix: { browse: 1, search: 1, 'sign-in': 1, 'checkout-and-pay': 1, 'admin-dashboard': 1 },
  },
  average: {
    description: 'a normal day: the shopper mix at a steady rate',
    scenario: {
      executor: 'constant-arrival-rate',
      rate: 10,
      duration: '5m',
      preAllocatedVUs: 20,
      maxVUs: 200,
    },
    mix: SHOPPER_MIX,
  },
  stress: {
    description: 'well above a normal day, ramped up and held',
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate: 5,
      stages: [
        { target: 30, duration: '2m' },
        { target: 30, duration: '5m' },
        { target: 0, duration: '1m' },
      ],
      preAllocatedVUs: 50,
      maxVUs: 500,
    },
    mix: SHOPPER_MIX,
  },
  spike: {
    description: 'a sudden surge and its end',
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate: 5,
      stages: [
        { target: 5, duration: '30s' },
        { target: 60, duration: '10s' },
        { target: 60, duration: '1m' },
        { target: 5, duration: '10s' },
        { target: 5, duration: '30s' },
      ],
      preAllocatedVUs: 50,
      maxVUs: 800,
    },
    mix: SHOPPER_MIX,
  },
  soak: {
    description: 'a normal day, held for hours: leaks and slow drift',
    scenario: {
      executor: 'constant-arrival-rate',
      rate: 8,
      duration: '2h',
      preAllocatedVUs: 20,
      maxVUs: 200,
    },
    mix: SHOPPER_MIX,
  },
  breakpoint: {
    description: 'ramps until an SLO breaks; the last rate that met every SLO is the SLO capacity',
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate: 1,
      stages: [{ target: 200, duration: '20m' }],
      preAllocatedVUs: 50,
      maxVUs: 2000,
    },
    mix: SHOPPER_MIX,
    abortOnFail: true,
  },
} as const satisfies Record<string, Profile>;

export type ProfileName = keyof typeof PROFILES;

/** `1m30s` → 90. Throws on anything k6 would not read. */
export function durationSeconds(duration: Duration): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!duration || !match) throw new Error(`"${duration}" is not a duration such as 30s, 5m, 2h or 1m30s`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** How long a scenario runs, and how many iterations it starts at most (every load is bounded). */
export function scenarioBounds(scenario: Scenario): { seconds: number; maxIterations: number } {
  if (scenario.executor === 'constant-arrival-rate') {
    const seconds = durationSeconds(scenario.duration);
    return { seconds, maxIterations: Math.ceil(scenario.rate * seconds) };
  }
  let seconds = 0;
  let iterations = 0;
  let rate = scenario.startRate;
  for (const stage of scenario.stages) {
    const s = durationSeconds(stage.duration);
    iterations += ((rate + stage.target) / 2) * s; // linear ramp: the mean rate over the stage
    seconds += s;
    rate = stage.target;
  }
  return { seconds, maxIterations: Math.ceil(iterations) };
}
