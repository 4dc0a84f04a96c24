export { FAULTS, faultKind } from './faults/catalogue.ts';
export type { FaultKind, FaultLayer, InjectedFault } from './faults/fault-kind.ts';
export { FaultJournal } from './journal.ts';
export { sleep } from './sleep.ts';
export {
  planFault,
  revertLeftovers,
  runFault,
  waitHealthy,
  type FaultEvent,
  type FaultRequest,
  type FaultRun,
  type RunFaultOptions,
} from './run-fault.ts';
export { parseSelector, resolveTargets, SELECTOR_HELP, type Target, type TargetSelector } from './targets.ts';
export { chaosBesideLoad } from './experiment/beside-load.ts';
export { experimentNames, loadExperiment, parseExperiment } from './experiment/load-experiment.ts';
export {
  runExperiment,
  type ExperimentEvent,
  type ExperimentResult,
  type ExperimentStatus,
} from './experiment/run-experiment.ts';
export type { Experiment } from './experiment/schema.ts';
