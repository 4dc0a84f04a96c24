import { probeSync } from './owned-processes.ts';
import { readFile } from 'node:fs/promises';

/**
 * Linux /proc readings. A PID alone is not an identity (PIDs are reused), so every recorded process
 * also keeps its kernel start time; a PID whose start time differs is someone else's process.
 */

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot, or undefined if gone. */
export async function processStartTicks(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') return undefined; // zombie or dead: not running
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** Resident memory of one process in bytes (VmRSS), or 0 when it is gone. */
export async function residentBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Process state letter (R, S, T for stopped/paused, ...), or undefined when gone. */
export async function processState(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

let ticksPerSecond: number | undefined;

function ticksToMs(ticks: number): number {
  if (ticksPerSecond === undefined) {
    ticksPerSecond = Number(probeSync('getconf', ['CLK_TCK'])?.trim()) || 100;
  }
  return (ticks * 1000) / ticksPerSecond;
}

/** Fields 3 onwards of /proc/<pid>/stat, or undefined when the process is gone. */
async function statFields(pid: number | 'self'): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) one process has used so far, in ms, or undefined when it is gone. */
export async function cpuTimeMs(pid: number): Promise<number | undefined> {
  const fields = await statFields(pid);
  return fields && ticksToMs(Number(fields[11]) + Number(fields[12]));
}

/**
 * CPU time (user + system) of this process's children that have exited and been waited for, in
 * ms (cutime + cstime): what a child such as wrk used, once it is done. 0 where /proc is missing.
 */
export async function finishedChildrenCpuTimeMs(): Promise<number> {
  const fields = await statFields('self');
  return fields ? ticksToMs(Number(fields[13]) + Number(fields[14])) : 0;
}
