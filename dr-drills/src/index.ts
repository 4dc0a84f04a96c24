export { DRILLS, drillNamed } from './drills/registry.ts';
export { runDrill, type DrillEvent, type DrillResult, type DrillStatus } from './run-drill.ts';
export { writeDrillReport } from './write-report.ts';
export type { Check, Drill, DrillContext, DrillOutcome, DrillVerdict } from './drill.ts';
