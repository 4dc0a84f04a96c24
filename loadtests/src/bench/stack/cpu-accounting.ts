import { cpuTimeMs, finishedChildrenCpuTimeMs } from '@stackdrill/toolkit';

export interface CpuShare {
  /** CPU ms per request, by process name (plus `load generator`: this process and the children it ran). */
  perRequestMs: Record<string, number>;
}

/**
 * Where the CPU went during one bench phase: CPU time of each stack process (from /proc) and of the
 * load generator (the bench process itself and the children it ran to completion in the phase, such
 * as wrk), divided by the requests the phase completed. On a machine where the load
 * generator and the whole stack share the cores, these figures explain the throughput ones.
 */
export async function measureCpu<T>(
  processes: { member: string; pid: number }[],
  phase: () => Promise<T>,
  requestsOf: (result: T) => number,
): Promise<{ result: T; cpu: CpuShare }> {
  const snapshot = async () => {
    const entries = await Promise.all(
      processes.map(async ({ member, pid }) => [member, (await cpuTimeMs(pid)) ?? 0] as const),
    );
    return new Map(entries);
  };
  const before = await snapshot();
  const childrenBefore = await finishedChildrenCpuTimeMs();
  const selfBefore = process.cpuUsage();
  const result = await phase();
  const self = process.cpuUsage(selfBefore);
  const children = (await finishedChildrenCpuTimeMs()) - childrenBefore;
  const after = await snapshot();
  const requests = Math.max(1, requestsOf(result));
  const perRequestMs: Record<string, number> = {
    'load generator': ((self.user + self.system) / 1000 + children) / requests,
  };
  for (const [name, ms] of after) perRequestMs[name] = (ms - (before.get(name) ?? ms)) / requests;
  return { result, cpu: { perRequestMs } };
}

/** Groups per-process figures: the named ones as they are, everything else summed as `rest of the stack`. */
export function cpuSummary(cpu: CpuShare, named: string[]): Record<string, number> {
  const summary: Record<string, number> = {};
  let rest = 0;
  for (const [name, ms] of Object.entries(cpu.perRequestMs)) {
    if (named.includes(name) || name === 'load generator') summary[name] = ms;
    else rest += ms;
  }
  summary['rest of the stack'] = rest;
  return summary;
}

/** Several measurements of the same phase as one: each process's CPU per request, weighted by requests. */
export function combineCpu(parts: { cpu: CpuShare; requests: number }[]): CpuShare {
  const totalMs: Record<string, number> = {};
  let requests = 0;
  for (const part of parts) {
    requests += part.requests;
    for (const [name, ms] of Object.entries(part.cpu.perRequestMs))
      totalMs[name] = (totalMs[name] ?? 0) + ms * part.requests;
  }
  const perRequestMs: Record<string, number> = {};
  for (const [name, ms] of Object.entries(totalMs)) perRequestMs[name] = ms / Math.max(1, requests);
  return { perRequestMs };
}
