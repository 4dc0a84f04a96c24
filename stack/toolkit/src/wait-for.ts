import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, StackError } from './errors.ts';
import { tailFile } from './log-tail.ts';

/** A process whose death ends the wait at once (no point waiting for a dead member). */
export interface WatchedProcess {
  member: string;
  /** Its log on this machine, or `logTail` where the log is kept elsewhere (a container engine). */
  logFile?: string;
  logTail?: () => Promise<string>;
  isRunning(): Promise<boolean>;
}

/** The last lines of a watched member's log, from wherever it is kept. */
async function tailOf(proc: WatchedProcess): Promise<string> {
  if (proc.logTail) return proc.logTail().catch(() => '');
  return proc.logFile ? tailFile(proc.logFile) : '';
}

export interface WaitOptions {
  /** Who we wait for, e.g. `kafka` or `redis-1`. */
  component: string;
  /** What readiness means, e.g. `3 brokers in the cluster metadata`. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  watch?: WatchedProcess[];
  logFile?: string;
  hint?: string;
}

/**
 * Polls `probe` until it returns a value (ready), never a fixed sleep. `undefined` or a throw means
 * "not yet"; the last reason is reported if the wait times out.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 200;
  let lastReason = 'no answer yet';
  for (;;) {
    for (const proc of options.watch ?? []) {
      if (!(await proc.isRunning())) {
        throw new StackError({
          component: proc.member,
          message: `exited while waiting for ${options.component} to ${options.what}`,
          ...(proc.logFile ? { logFile: proc.logFile } : {}),
          logTail: await tailOf(proc),
          hint:
            options.hint ??
            'read the log above; if the data directory is damaged, `pnpm stack:up --fresh` starts over (deletes data)',
        });
      }
    }
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastReason = errorMessage(error);
    }
    if (Date.now() >= deadline) {
      const logFile = options.logFile ?? options.watch?.[0]?.logFile;
      const first = options.watch?.[0];
      const logTail = logFile ? await tailFile(logFile) : first ? await tailOf(first) : '';
      throw new StackError({
        component: options.component,
        message: `did not ${options.what} within ${Math.round(options.timeoutMs / 1000)} s (last: ${lastReason})`,
        ...(logFile ? { logFile } : {}),
        ...(logTail ? { logTail } : {}),
        hint: options.hint ?? 'read the log; `pnpm stack:up --fresh` starts over with empty data',
      });
    }
    await sleep(interval);
  }
}
