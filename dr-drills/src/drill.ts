import type { Experiment, ExperimentResult } from '@stackdrill/chaos';
import type { Provider } from '@stackdrill/stack';
import type { CanaryFigures, FigureOptions } from './canary/canary-figures.ts';
import type { CanaryOptions, CanaryStore, CanaryWrite } from './canary/canary.ts';

export type Datastore = 'redis' | 'kafka' | 'mongo';

/** One judged fact of a drill: a target met, an invariant held. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** What a drill knows while it runs. */
export interface DrillContext {
  provider: Provider;
  /** This run's id: the canaries' keys, topic and collection carry it. */
  run: string;
  /** The canary topic's leader now, as host:port (kafka drills aim at it). */
  kafkaCanaryLeader?: () => Promise<string>;
  note: (line: string) => void;
}

/** What happened, for the drill to judge. */
export interface DrillOutcome {
  experiment: ExperimentResult;
  canaries: CanaryFigures[];
  /** Every canary write, per datastore, with its acknowledgement or error. */
  logs: Partial<Record<string, readonly CanaryWrite[]>>;
  /** When the first fault began (ms since the epoch). */
  faultAt: number;
}

/** A drill's judgement: its checks, and its RTO and RPO in seconds (undefined: not measured). */
export interface DrillVerdict {
  checks: Check[];
  rtoS: number | undefined;
  rpoS: number | undefined;
  /** Anything else worth a line in the report (warm-up, what a phase showed). */
  notes?: string[];
}

/**
 * A DR drill: an experiment (faults under background load, from the chaos runner) with a canary
 * writer per datastore it cares about, judged afterwards by its own checks. Drills are code, not
 * data: they pick their targets from the stack at run time and judge what only code can read.
 */
export interface Drill {
  name: string;
  title: string;
  /** One paragraph: what it does and what it proves. */
  description: string;
  canaries: Datastore[];
  canaryOptions?: Partial<Record<Datastore, CanaryOptions>>;
  /** When a datastore counts as recovered, per canary (default: writes acknowledged within 1 s, for 1 s). */
  recoveredWhen?: Partial<Record<Datastore, Pick<FigureOptions, 'slowMs' | 'healthyForMs'>>>;
  /** Canaries of its own beyond the datastores' (made in `prepare`): the business canary, say. */
  extraCanaries?: () => { store: CanaryStore; options: CanaryOptions }[];
  /** Why it cannot run on this stack (undefined: it can). Said, never silently skipped. */
  unavailable?: (provider: Provider) => Promise<string | undefined>;
  /** Anything to set up before the load starts (a session to check afterwards, say). */
  prepare?: (ctx: DrillContext) => Promise<void>;
  experiment: (ctx: DrillContext) => Promise<Experiment>;
  judge: (ctx: DrillContext, outcome: DrillOutcome) => Promise<DrillVerdict>;
}
