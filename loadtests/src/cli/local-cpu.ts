import { openProvider } from '@stackdrill/stack';
import { cpuTimeMs, finishedChildrenCpuTimeMs } from '@stackdrill/toolkit';
import type { LoadSummary, CpuPerJourney } from '../model/summary.ts';
import { localInstanceOf } from '../run/local-instance.ts';

/** The name under which the load generator's own CPU is counted (this process and k6, if it ran it). */
export const LOAD_GENERATOR = 'load generator';

/**
 * Journey iterations of a run: the timeline's arrivals (iterations started by the Node engine,
 * completed by k6). A journey's own figures count its requests, several per iteration.
 */
export const journeysOf = (summary: LoadSummary) =>
  (summary.timeline ?? []).reduce((sum, point) => sum + point.arrivals, 0);

/**
 * Where the CPU went during a run against a local instance: each of its processes' CPU time (from
 * /proc) and the load generator's, from `start` to `stop` (then divided by the journeys completed,
 * cpuPerJourney). On a
 * machine where the load and the whole stack share the cores, this says what a journey costs and
 * who pays. Undefined for a target that is not a local instance (its processes are elsewhere).
 */
export async function startCpuMeter(target: string): Promise<{ stop(): Promise<CpuSpent> } | undefined> {
  const name = localInstanceOf(target);
  if (!name) return undefined;
  const processes = await (await openProvider(name)).localProcesses();
  const snapshot = async () => {
    const byProcess = new Map<string, number>();
    for (const p of processes) byProcess.set(p.member, (await cpuTimeMs(p.pid)) ?? Number.NaN);
    const self = process.cpuUsage();
    byProcess.set(LOAD_GENERATOR, (self.user + self.system) / 1000 + (await finishedChildrenCpuTimeMs()));
    return byProcess;
  };
  const before = await snapshot();
  return {
    async stop() {
      const after = await snapshot();
      const spentMs: Record<string, number> = {};
      for (const [member, ms] of after) {
        const spent = ms - (before.get(member) ?? Number.NaN);
        // A process that was restarted or gone during the run has no meaningful figure.
        if (Number.isFinite(spent) && spent >= 0) spentMs[member] = spent;
      }
      return { instance: name, spentMs };
    },
  };
}

/** CPU ms each process spent during a run. */
export interface CpuSpent {
  instance: string;
  spentMs: Record<string, number>;
}

export function cpuPerJourney(spent: CpuSpent, journeys: number): CpuPerJourney {
  const perJourneyMs: Record<string, number> = {};
  for (const [member, ms] of Object.entries(spent.spentMs)) perJourneyMs[member] = ms / Math.max(1, journeys);
  return { instance: spent.instance, journeys, perJourneyMs };
}
