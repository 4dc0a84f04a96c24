// Load profiles as data, in k6's scenario vocabulary (executors, stages): the k6 scripts pass them to
// k6 as they are, and the Node engine schedules the same arrivals. Runtime-neutral (k6 imports it).
import type { JourneyName } from './slo.ts';

/** A duration as k6 writes it: `30s`, `5m`, `2h`, `1m30s`. */
export type Duration = string;

/** Ramp stages: to `target` (arrivals/s, or VUs for `ramping-vus`) over `duration`. */
export type Stage = { target: number; duration: Duration };

/**
 * Arrival-rate executors are the open model (iterations start on a clock, whatever the answers);
 * VU executors the closed model (each virtual user runs iterations back to back, think time
 * included), as k6 defines them.
 */
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
      stages: Stage[];
      preAllocatedVUs: number;
      maxVUs: number;
    }
  | { executor: 'constant-vus'; vus: number; duration: Duration }
  | { executor: 'ramping-vus'; startVUs: number; stages: Stage[] };

export interface Profile {
  description: string;
  /** Journey iterations started per second (timeUnit 1 s), spread over the mix. */
  scenario: Scenario;
  /** Relative weights of the journeys an iteration runs. */
  mix: Partial<Record<JourneyName, number>>;
  /** Stop as soon as an SLO breaks (the breakpoint search). */
  abortOnFail?: boolean;
  /**
   * Also judge that every endpoint's p95 stays flat over the run (model/flatness.ts: the last
   * minutes against minutes 5-10); a drift fails the run as a broken SLO does.
   */
  flatness?: boolean;
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
    description: 'a steady crowd of shoppers (closed model), held for hours: leaks and slow drift',
    scenario: { executor: 'constant-vus', vus: 30, duration: '2h' },
    mix: SHOPPER_MIX,
    flatness: true,
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

/** At most this many iterations per VU and second: a closed loop over a target that answers at once stays bounded. */
export const MAX_ITERATIONS_PER_VU_SECOND = 10;

/** How long a scenario runs, and how many iterations it starts at most (every load is bounded). */
export function scenarioBounds(scenario: Scenario): { seconds: number; maxIterations: number } {
  switch (scenario.executor) {
    case 'constant-arrival-rate': {
      const seconds = durationSeconds(scenario.duration);
      return { seconds, maxIterations: Math.ceil(scenario.rate * seconds) };
    }
    case 'constant-vus': {
      const seconds = durationSeconds(scenario.duration);
      return { seconds, maxIterations: scenario.vus * seconds * MAX_ITERATIONS_PER_VU_SECOND };
    }
    default: {
      // Linear ramps: the mean over a stage is the mean of its ends.
      const start = scenario.executor === 'ramping-arrival-rate' ? scenario.startRate : scenario.startVUs;
      const perUnit = scenario.executor === 'ramping-arrival-rate' ? 1 : MAX_ITERATIONS_PER_VU_SECOND;
      let seconds = 0;
      let iterations = 0;
      let level = start;
      for (const stage of scenario.stages) {
        const s = durationSeconds(stage.duration);
        iterations += ((level + stage.target) / 2) * s * perUnit;
        seconds += s;
        level = stage.target;
      }
      return { seconds, maxIterations: Math.ceil(iterations) };
    }
  }
}

/** The scenario's level `seconds` in: arrivals/s for arrival-rate executors, VUs for VU executors. */
export function levelAt(scenario: Scenario, seconds: number): number {
  if (scenario.executor === 'constant-arrival-rate') return scenario.rate;
  if (scenario.executor === 'constant-vus') return scenario.vus;
  let stageStart = 0;
  let level = scenario.executor === 'ramping-arrival-rate' ? scenario.startRate : scenario.startVUs;
  for (const stage of scenario.stages) {
    const length = durationSeconds(stage.duration);
    if (seconds <= stageStart + length)
      return level + ((stage.target - level) * (seconds - stageStart)) / length;
    stageStart += length;
    level = stage.target;
  }
  return level;
}

/** The scenario's highest level: arrivals/s for arrival-rate executors, VUs for VU executors. */
export function peakLevel(scenario: Scenario): number {
  switch (scenario.executor) {
    case 'constant-arrival-rate':
      return scenario.rate;
    case 'constant-vus':
      return scenario.vus;
    case 'ramping-arrival-rate':
      return Math.max(scenario.startRate, ...scenario.stages.map((s) => s.target));
    case 'ramping-vus':
      return Math.max(scenario.startVUs, ...scenario.stages.map((s) => s.target));
  }
}

/** Arrival-rate executors start iterations on a clock; VU executors loop. */
export const isOpenModel = (
  scenario: Scenario,
): scenario is Extract<Scenario, { executor: 'constant-arrival-rate' | 'ramping-arrival-rate' }> =>
  scenario.executor === 'constant-arrival-rate' || scenario.executor === 'ramping-arrival-rate';
