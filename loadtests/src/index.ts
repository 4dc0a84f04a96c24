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
// For the stack's own benches: wrk as a child process the bench owns.
export { benchStack } from './bench/stack/stack-bench.ts';
export { benchApi } from './bench/stack/api-bench.ts';
export { benchData, measureDataTier, type DataFigure } from './bench/stack/data-bench.ts';
export { parseWrk, wrkArgs, type WrkResult } from './bench/wrk.ts';
// A run of the Node engine as a library call (the chaos experiments' background load).
export {
  prepareLoad,
  provisionCustomers,
  runNodeLoad,
  type NodeLoadOptions,
  type PreparedLoad,
} from './run/node-run.ts';
export type { Progress } from './engine/runner.ts';
export { withDuration } from './engine/schedule.ts';
export { localInstanceOf } from './run/local-instance.ts';
export { writeHtmlReport, type ReportPreface } from './report/html-report.ts';
export { withTimedMarks, type TimedMark, type TimelineMark } from './model/summary.ts';
export type { LoadSides, SideRun } from './cli/load-command.ts';
