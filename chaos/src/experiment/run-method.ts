import type { Provider } from '@stackdrill/stack';
import type { TimedMark } from '@stackdrill/loadtests';
import { planFault, runFault, type FaultEvent, type FaultRun } from '../run-fault.ts';
import { sleep } from '../sleep.ts';
import type { Experiment, ExperimentProbe } from './schema.ts';

/** A mark on the timeline at an absolute time; the caller puts it on its load's timeline. */
export type { TimedMark };

export type MethodEvent =
  | { type: 'step'; name: string; kind: 'action' | 'probe' }
  | { type: 'fault'; step: string; event: FaultEvent }
  | { type: 'probe'; name: string; ok: boolean; detail: string };

export interface MethodOutcome {
  faults: FaultRun[];
  marks: TimedMark[];
  /** When the last fault was reverted (the method's end when it had none). */
  lastRevertAt: number;
}

/** Default hold of a fault step that names no duration. */
export const DEFAULT_FAULT_S = 10;

/** Every fault step planned on this stack now: an unknown member is a UsageError before anything is touched. */
export async function planMethod(provider: Provider, experiment: Experiment): Promise<void> {
  for (const step of experiment.method) {
    if (step.type !== 'action') continue;
    await planFault(provider, {
      fault: step.provider.fault,
      target: step.provider.target,
      durationS: step.provider.duration ?? DEFAULT_FAULT_S,
      params: step.provider.arguments ?? {},
    });
  }
}

/**
 * Runs an experiment's method in order: each step's pauses, its fault (held, then reverted: runFault
 * guarantees it) or its probe; `background` actions run alongside the steps after them. The signal
 * (Ctrl-C, or an abort bound crossed) cuts the method short; every fault still reverts. Probes in
 * the method are recorded, as in Chaos Toolkit, not judged.
 */
export async function runMethod(
  provider: Provider,
  experiment: Experiment,
  options: {
    signal: AbortSignal;
    probe: (probe: ExperimentProbe) => Promise<{ ok: boolean; detail: string }>;
    onEvent?: (event: MethodEvent) => void;
  },
): Promise<MethodOutcome> {
  const emit = options.onEvent ?? (() => {});
  const marks: TimedMark[] = [];
  const faults: FaultRun[] = [];
  const background: Promise<void>[] = [];
  let lastRevertAt = Date.now();
  const pause = (seconds: number | undefined) => sleep(seconds ?? 0, options.signal);

  for (const step of experiment.method) {
    if (options.signal.aborted) break;
    emit({ type: 'step', name: step.name, kind: step.type });
    await pause(step.pauses?.before);
    if (options.signal.aborted) break;
    if (step.type === 'probe') {
      const { ok, detail } = await options.probe(step);
      emit({ type: 'probe', name: step.name, ok, detail });
    } else {
      const run = runFault(
        provider,
        {
          fault: step.provider.fault,
          target: step.provider.target,
          durationS: step.provider.duration ?? DEFAULT_FAULT_S,
          params: step.provider.arguments ?? {},
        },
        {
          signal: options.signal,
          // The hypothesis after the method judges recovery; the fault's own wait stays short.
          recoveryBoundMs: 30_000,
          onEvent: (event) => {
            emit({ type: 'fault', step: step.name, event });
            if (event.type === 'injected')
              marks.push({ at: event.at, kind: 'fault', label: `${event.fault} on ${event.member}` });
            if (event.type === 'reverted') {
              lastRevertAt = Math.max(lastRevertAt, event.at);
              marks.push({
                at: event.at,
                kind: 'revert',
                label: `${event.fault} on ${event.member} reverted`,
              });
            }
          },
        },
      ).then((result) => {
        faults.push(result);
      });
      if (step.background) background.push(run);
      else await run;
    }
    await pause(step.pauses?.after);
  }
  await Promise.all(background);
  return { faults, marks, lastRevertAt };
}
