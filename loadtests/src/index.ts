export {
  constantRate,
  latencyHistogram,
  type ConstantRateOptions,
  type LatencySummary,
} from './engine/open-loop.ts';
export {
  ALERT_LEVELS,
  SLO_SPEC,
  checkSpec,
  judge,
  k6Thresholds,
  type EndpointName,
  type JourneyName,
  type Measured,
  type Objective,
  type Verdict,
} from './model/slo.ts';
export { JOURNEYS, type Journey, type JourneyContext, type Step } from './model/journeys.ts';
export {
  PROFILES,
  SHOPPER_MIX,
  durationSeconds,
  scenarioBounds,
  type Profile,
  type ProfileName,
  type Scenario,
} from './model/profiles.ts';
export { fromK6Summary, type LoadSummary, type SubjectFigures } from './model/summary.ts';
