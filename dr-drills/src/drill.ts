import type { Experiment, ExperimentResult } from '@stackdrill/chaos';
import type { LoadSummary } from '@stackdrill/loadtests';
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

/** What every drill says of itself, and whether it can run on a stack. */
interface DrillBase {
  name: string;
  title: string;
  /** One paragraph: what it does and what it proves. */
  description: string;
  /** Why it cannot run on this stack (undefined: it can). Said, never silently skipped. */
  unavailable?: (provider: Provider) => Promise<string | undefined>;
}

/** Drills are code, not data: they pick their targets at run time and judge what only code can read. */
export type Drill = ExperimentDrill | ScenarioDrill;

/**
 * A DR drill that is one experiment (faults under background load, from the chaos runner) with a
 * canary writer per datastore it cares about, judged afterwards by its own checks.
 */
export interface ExperimentDrill extends DrillBase {
  canaries: Datastore[];
  canaryOptions?: Partial<Record<Datastore, CanaryOptions>>;
  /** When a datastore counts as recovered, per canary (default: writes acknowledged within 1 s, for 1 s). */
  recoveredWhen?: Partial<Record<Datastore, Pick<FigureOptions, 'slowMs' | 'healthyForMs'>>>;
  /** Canaries of its own beyond the datastores' (made in `prepare`): the business canary, say. */
  extraCanaries?: () => { store: CanaryStore; options: CanaryOptions }[];
  /** Anything to set up before the load starts (a session to check afterwards, say). */
  prepare?: (ctx: DrillContext) => Promise<void>;
  experiment: (ctx: DrillContext) => Promise<Experiment>;
  judge: (ctx: DrillContext, outcome: DrillOutcome) => Promise<DrillVerdict>;
}

/** What a scenario drill ran and measured: its verdict, its canaries, and the load's timeline. */
export interface ScenarioOutcome extends DrillVerdict {
  canaries: CanaryFigures[];
  writes: Record<string, readonly CanaryWrite[]>;
  /** The background load with the scenario's marks on its timeline (for the HTML report). */
  load: LoadSummary | undefined;
  interrupted: boolean;
}

/**
 * A drill that is more than one experiment on one stack (backup-restore: a second instance, a
 * restore): it runs its own scenario with the same parts (canary writers, the background load) and
 * returns what it measured and judged.
 */
export interface ScenarioDrill extends DrillBase {
  scenario: (ctx: DrillContext, options: { signal?: AbortSignal }) => Promise<ScenarioOutcome>;
}
