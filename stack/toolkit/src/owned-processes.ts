import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { StackError } from './errors.ts';

export interface StartOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Its output goes to our terminal instead of being kept. */
  attached?: boolean;
  /** Who a failure is about (default: the command), and what to do about it. */
  component?: string;
  hint?: string;
}

/** What a finished process said. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A process we started: its PID, its output so far, and how it ends. */
export interface OwnedProcess {
  readonly pid: number;
  readonly command: string;
  /** Resolves once it has exited (whatever the code). */
  readonly exited: Promise<Finished>;
  stdout(): string;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<Finished>;
}

/**
 * The one way to run a short-lived tool (the Supervisor runs the stack's long-lived members): the
 * doctor's probes and builds, the benches' servers and load tools, k6, the UI smoke suite, the
 * fuzzer, `stack:logs --follow`. Each process is recorded by PID while it runs and removed once it
 * exits, so a Ctrl-C or an error kills exactly what was started (`killAll`), by PID, and nothing
 * else. Children stay in our process group, so they cannot outlive a `kill -9` of the terminal
 * session either.
 */
export class OwnedProcesses {
  private readonly running = new Map<number, ChildProcess>();

  /** Starts a process (a server, a tool); the caller stops it or waits for `exited`. */
  async start(command: string, args: string[], options: StartOptions = {}): Promise<OwnedProcess> {
    const child = spawn(command, args, {
      stdio: options.attached ? 'inherit' : ['ignore', 'pipe', 'pipe'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    }).catch((error: unknown) => {
      throw new StackError({
        component: options.component ?? command,
        message: `could not start \`${command}\` (${(error as Error).message})`,
        hint: options.hint ?? 'run `pnpm run doctor`: it installs what the commands need',
        cause: error,
      });
    });
    const pid = child.pid!;
    this.running.set(pid, child);
    const exited = new Promise<Finished>((resolve) =>
      child.once('close', (code, signal) => {
        this.running.delete(pid);
        resolve({ code, signal, stdout: out, stderr: err });
      }),
    );
    return {
      pid,
      command,
      exited,
      stdout: () => out,
      stop: async (graceMs = 3000) => {
        signalQuietly(pid, 'SIGTERM');
        const timer = setTimeout(() => signalQuietly(pid, 'SIGKILL'), graceMs);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      },
    };
  }

  /**
   * Runs a process to its end, at most `timeoutMs` (then it is killed and this throws); a non-zero
   * exit throws with the tail of its output.
   */
  async run(
    command: string,
    args: string[],
    options: StartOptions & { timeoutMs: number; what: string },
  ): Promise<Finished> {
    const owned = await this.start(command, args, options);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void owned.stop();
    }, options.timeoutMs);
    const finished = await owned.exited.finally(() => clearTimeout(timer));
    if (timedOut || finished.code !== 0) {
      const why = timedOut
        ? `did not finish within ${options.timeoutMs / 1000} s`
        : `exited ${finished.code ?? finished.signal}`;
      throw new StackError({
        component: options.component ?? command,
        message: `${options.what} (\`${command} ${args.join(' ')}\`) ${why}`,
        ...(options.hint ? { hint: options.hint } : {}),
        logTail: `${finished.stdout}\n${finished.stderr}`.trim().split('\n').slice(-15).join('\n'),
      });
    }
    return finished;
  }

  /**
   * Runs a process on this terminal (its output is the user's) to its end; its exit code. A Ctrl-C
   * reaches it too (same process group); if we exit first, `killAll` ends it.
   */
  async attached(
    command: string,
    args: string[],
    options: Omit<StartOptions, 'attached'> = {},
  ): Promise<number> {
    const owned = await this.start(command, args, { ...options, attached: true });
    const { code, signal } = await owned.exited;
    return code ?? (signal ? 128 : 1);
  }

  /** PIDs still running. */
  pids(): number[] {
    return [...this.running.keys()];
  }

  /** SIGKILLs every process still running, synchronously (safe in an `exit` or SIGINT handler). */
  killAll(): void {
    for (const pid of this.running.keys()) signalQuietly(pid, 'SIGKILL');
  }
}

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** The processes of this process's own tool runs, all killed if it exits before they do. */
export const TOOLS = new OwnedProcesses();
process.once('exit', () => TOOLS.killAll());

/**
 * A quick synchronous probe (is a tool there, what does it print): its stdout when it exits 0 within
 * `timeoutMs`, else undefined. It has ended when this returns, so there is nothing left to own.
 */
export function probeSync(command: string, args: string[], timeoutMs = 5000): string | undefined {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return result.status === 0 ? result.stdout : undefined;
}
