import { probeSync } from '@stackdrill/toolkit';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Which cores the hello server and the load generators run on. With two cores or more the server
 * gets the first one and every generator (wrk, hey, the engine) the rest, so each generator has the
 * same cores and none competes with the server for its own; `taskset` (util-linux) does the pinning.
 */
export interface CpuPlan {
  pinned: boolean;
  /** `taskset -c` lists; empty when not pinned. */
  server: string;
  generators: string;
  /** Cores a generator may use (wrk's threads). */
  generatorCores: number;
  /** One line for the report. */
  describe: string;
}

/** `0-3,6,8-9` (Linux's cpulist format) → [0, 1, 2, 3, 6, 8, 9]. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (!part) continue;
    const [from, to] = part.split('-').map(Number);
    if (!Number.isInteger(from) || (to !== undefined && !Number.isInteger(to)))
      throw new Error(`not a CPU list: "${list}"`);
    for (let cpu = from!; cpu <= (to ?? from!); cpu++) cpus.push(cpu);
  }
  return cpus;
}

export function planCpus(allowed: number[], hasTaskset: boolean): CpuPlan {
  if (allowed.length < 2 || !hasTaskset) {
    const why = allowed.length < 2 ? 'one core' : 'no taskset';
    return {
      pinned: false,
      server: '',
      generators: '',
      generatorCores: Math.max(1, allowed.length),
      describe: `not pinned (${why}): the server and the generator share ${allowed.length} core(s)`,
    };
  }
  const [server, ...rest] = allowed;
  return {
    pinned: true,
    server: String(server),
    generators: rest.join(','),
    generatorCores: rest.length,
    describe: `server pinned to CPU ${server}, every load generator to CPU ${rest.join(',')}`,
  };
}

/** The CPUs this process may run on (its affinity), and whether `taskset` is there. */
export function detectCpuPlan(): CpuPlan {
  let allowed: number[];
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    allowed = parseCpuList(/^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '');
  } catch {
    allowed = Array.from({ length: availableParallelism() }, (_, i) => i);
  }
  const hasTaskset = probeSync('taskset', ['-V']) !== undefined;
  return planCpus(allowed, hasTaskset);
}

/** The command line that runs `command` on the plan's cores for `role`. */
export function pinnedCommand(
  plan: CpuPlan,
  role: 'server' | 'generator',
  command: string,
  args: string[],
): [string, string[]] {
  if (!plan.pinned) return [command, args];
  return ['taskset', ['-c', role === 'server' ? plan.server : plan.generators, command, ...args]];
}
