import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processStartTicks, processState, StackError } from '@stackdrill/toolkit';
import type { ProcessRecord, StateStore } from './state-store.ts';

export interface ProcessSpec {
  member: string;
  component: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logFile: string;
}

export type StopOutcome = 'stopped' | 'killed' | 'not-running';

/**
 * Every process of a stack starts here: detached into its own process group (so it outlives the CLI
 * and can be signalled as a group), output appended to its log file, PID and kernel start time
 * recorded in the state file. Stopping is SIGTERM, then SIGKILL after a bound.
 */
export class Supervisor {
  constructor(private readonly store: StateStore) {}

  record(member: string): ProcessRecord | undefined {
    return this.store.state.processes[member];
  }

  records(): ProcessRecord[] {
    return Object.values(this.store.state.processes);
  }

  /** Once set, `start` refuses: an interrupted start-up must not spawn behind its own clean-up. */
  private closedBecause: string | undefined;

  refuseNewStarts(reason: string): void {
    this.closedBecause = reason;
  }

  async start(spec: ProcessSpec): Promise<ProcessRecord> {
    await mkdir(dirname(spec.logFile), { recursive: true });
    const log = await open(spec.logFile, 'a');
    try {
      await log.write(`\n=== ${new Date().toISOString()} starting: ${spec.command} ${spec.args.join(' ')}\n`);
      // Checked after the last await, right before the synchronous spawn.
      if (this.closedBecause) {
        throw new StackError({ component: spec.member, message: `not started: ${this.closedBecause}` });
      }
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
      });
      // Recorded in memory before any await, so a Ctrl-C handler running between two ticks sees it.
      const record: ProcessRecord | undefined = child.pid
        ? {
            member: spec.member,
            component: spec.component,
            pid: child.pid,
            startTicks: -1,
            startedAt: new Date().toISOString(),
            command: spec.command,
            args: spec.args,
            cwd: spec.cwd,
            logFile: spec.logFile,
          }
        : undefined;
      // As a change of the state (not a write into the view): a re-read of the file, when another
      // member's record or a fact lands meanwhile, keeps it. Written into the state view directly, a
      // re-read dropped it, and an interrupted start-up left that member running, unknown to its clean-up.
      const recorded = record ? this.store.setProcess(record) : undefined;
      recorded?.catch(() => {}); // awaited below
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      }).catch((error: unknown) => {
        throw new StackError({
          component: spec.member,
          message: `could not start \`${spec.command}\` (${(error as Error).message})`,
          hint: 'run `pnpm run doctor` to install what is missing',
          cause: error,
        });
      });
      child.unref();
      record!.startTicks = (await processStartTicks(record!.pid)) ?? -1;
      await recorded;
      await this.store.setProcess(record!);
      return record!;
    } finally {
      await log.close();
    }
  }

  /** True when the recorded process still runs and is the one we started (not a reused PID). */
  async isRunning(record: ProcessRecord | undefined): Promise<boolean> {
    if (!record) return false;
    const ticks = await processStartTicks(record.pid);
    return ticks !== undefined && (record.startTicks === -1 || ticks === record.startTicks);
  }

  /** True when the process is stopped by SIGSTOP (a paused member). */
  async isPaused(record: ProcessRecord): Promise<boolean> {
    return (await this.isRunning(record)) && (await processState(record.pid)) === 'T';
  }

  async signal(member: string, signal: NodeJS.Signals): Promise<void> {
    const record = this.record(member);
    if (!(await this.isRunning(record))) {
      throw new StackError({ component: member, message: `is not running, cannot send ${signal}` });
    }
    process.kill(-record!.pid, signal);
  }

  /** SIGTERM the member's process group, SIGKILL it after `graceMs`, wait until it is gone. */
  async stop(member: string, graceMs: number): Promise<StopOutcome> {
    const record = this.record(member);
    if (!record || !(await this.isRunning(record))) {
      if (record) await this.store.removeProcess(member);
      return 'not-running';
    }
    const group = -record.pid;
    signalQuietly(group, 'SIGTERM');
    signalQuietly(group, 'SIGCONT'); // a paused process only sees SIGTERM once it runs again
    let outcome: StopOutcome = 'stopped';
    const deadline = Date.now() + graceMs;
    while (await this.isRunning(record)) {
      if (Date.now() > deadline && outcome === 'stopped') {
        signalQuietly(group, 'SIGKILL');
        outcome = 'killed';
      }
      if (Date.now() > deadline + 5000) {
        throw new StackError({
          component: member,
          message: `process ${record.pid} survived SIGKILL for 5 s`,
          hint: `check it with \`ps -o pid,stat,cmd -p ${record.pid}\``,
        });
      }
      await sleep(50);
    }
    await this.store.removeProcess(member);
    return outcome;
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
