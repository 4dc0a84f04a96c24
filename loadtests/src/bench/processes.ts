import { spawn, type ChildProcess } from 'node:child_process';
import { StackError } from '@stackdrill/stack';

/** What a finished process said. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A process the bench started: its PID, its output so far, and how it ends. */
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
 * Every process of the bench starts here (the hello server, wrk, hey, the engine's driver): each is
 * recorded by PID while it runs and removed once it exits, so a Ctrl-C or an error kills exactly
 * what the bench started (`killAll`), by PID, and nothing else. Children stay in our process group,
 * so they cannot outlive a `kill -9` of the bench's terminal session either.
 */
export class OwnedProcesses {
  private readonly running = new Map<number, ChildProcess>();

  /** Starts a long-running process (the server); the caller stops it. */
  async start(command: string, args: string[], options: { cwd?: string } = {}): Promise<OwnedProcess> {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    }).catch((error: unknown) => {
      throw new StackError({
        component: 'bench',
        message: `could not start \`${command}\` (${(error as Error).message})`,
        hint: 'run the bench again: its doctor step installs what it needs (wrk, hey)',
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
    options: { timeoutMs: number; cwd?: string; what: string },
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
        component: 'bench',
        message: `${options.what} (\`${command} ${args.join(' ')}\`) ${why}`,
        logTail: `${finished.stdout}\n${finished.stderr}`.trim().split('\n').slice(-15).join('\n'),
      });
    }
    return finished;
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
