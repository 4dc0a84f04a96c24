import { fileURLToPath } from 'node:url';
import { StackError, type OwnedProcess, type OwnedProcesses } from '@stackdrill/toolkit';
import { pinnedCommand, type CpuPlan } from './pinning.ts';

/** The hello server, running: where it answers and how to stop it. */
export interface StartedHelloServer {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./hello-server.mjs', import.meta.url));

/**
 * Starts `hello-server.mjs` as a child process on the plan's server core and waits (at most 10 s)
 * until it says which port it listens on. The caller owns it: `stop()` ends it by PID, and
 * `OwnedProcesses.killAll` does on Ctrl-C.
 */
export async function startHelloServer(owned: OwnedProcesses, plan: CpuPlan): Promise<StartedHelloServer> {
  const [command, args] = pinnedCommand(plan, 'server', process.execPath, [SCRIPT]);
  const child: OwnedProcess = await owned.start(command, args);
  const port = await new Promise<number | undefined>((resolve) => {
    const deadline = Date.now() + 10_000;
    const poll = setInterval(() => {
      const match = /^listening (\d+)$/m.exec(child.stdout());
      if (match || Date.now() > deadline) {
        clearInterval(poll);
        resolve(match ? Number(match[1]) : undefined);
      }
    }, 20);
    void child.exited.then(() => {
      clearInterval(poll);
      resolve(undefined);
    });
  });
  if (port === undefined) {
    const finished = await child.stop();
    throw new StackError({
      component: 'bench',
      message: 'the hello server did not start listening within 10 s',
      logTail: `${finished.stdout}\n${finished.stderr}`.trim(),
    });
  }
  return {
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    stop: async () => {
      await child.stop();
    },
  };
}
