import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { StackError } from '@stackdrill/toolkit';
import { tryOutput } from '../../doctor/exec.ts';
import { askEngine, detectEngine, type Engine } from './engine.ts';

/** An engine to talk to, and the Podman API service this process started for it, if any. */
export interface EngineConnection {
  engine: Engine;
  docker: Docker;
  /** False once the API service this process started has exited (idle for a minute). */
  alive(): boolean;
  /** Stops the API service this process started (nothing when the engine was already serving). */
  close(): Promise<void>;
}

/**
 * A connection to the container engine: the one `detectEngine` finds, else, where Podman is
 * installed but nothing serves its API (no systemd socket here), a `podman system service` this
 * process starts on a socket of its own and owns: stopped when the process exits, and exiting by
 * itself after 60 s without a call should the process die first. Containers do not depend on it:
 * Podman runs them without the API service.
 */
export async function connectEngine(env: NodeJS.ProcessEnv = process.env): Promise<EngineConnection> {
  let detectError: unknown;
  try {
    const engine = await detectEngine(env);
    return { engine, docker: dockerFor(engine.host), alive: () => true, close: async () => {} };
  } catch (error) {
    detectError = error;
  }
  if (env.DOCKER_HOST || !(await tryOutput('podman', ['--version']))) throw detectError;
  return startPodmanService();
}

async function startPodmanService(): Promise<EngineConnection> {
  // A socket of its own, named at random: a counter of this module's restarts with each fresh
  // instance of it (each test file of a run in one process), and a second service on a path in use
  // cannot bind it; the connection then talked to the first, whose exit took its socket away
  // (ENOENT in the suite, twice).
  const socket = join(tmpdir(), `stackdrill-podman-${process.pid}-${randomBytes(6).toString('hex')}.sock`);
  const host = `unix://${socket}`;
  const child: ChildProcess = spawn('podman', ['system', 'service', '--time=60', host], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  // A service that ends on its own (idle for a minute) needs no stopping: a later one adds its own.
  child.once('exit', () => process.removeListener('exit', stop));
  child.unref();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  const deadline = Date.now() + 15_000;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const engine = await askEngine(host);
      return {
        engine,
        docker: dockerFor(host),
        // Its socket is the test: the service removes it when it exits (idle for a minute), and
        // the exit was seen before the child's own exit event (a call then failed with ENOENT).
        alive: () => child.exitCode === null && child.signalCode === null && existsSync(socket),
        close: async () => {
          process.removeListener('exit', stop);
          stop();
          await rm(socket, { force: true });
        },
      };
    } catch (error) {
      last = error;
      await sleep(100);
    }
  }
  stop();
  throw new StackError({
    component: 'containers',
    message: `\`podman system service\` did not serve its API on ${socket} (${stderr.trim() || (last as Error | undefined)?.message || 'no answer'})`,
    hint: 'run `podman info` to see what Podman says; `pnpm run doctor --containers` sets it up',
  });
}

function dockerFor(host: string): Docker {
  if (host.startsWith('unix://')) return new Docker({ socketPath: host.slice('unix://'.length) });
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return new Docker({ host: url.hostname, port: Number(url.port || 2375) });
}

/**
 * The process's engine connection: made on first use and shared by every provider the process
 * opens (one API service, not one per provider); made again if the service it started has exited
 * after a minute idle. A service it started stops when the process exits.
 */
export const sharedEngine = {
  connection: undefined as Promise<EngineConnection> | undefined,

  async get(): Promise<EngineConnection> {
    const current = this.connection && (await this.connection.catch(() => undefined));
    if (!current || !current.alive()) this.connection = connectEngine();
    return this.connection!;
  },

  async docker(): Promise<Docker> {
    return (await this.get()).docker;
  },
};
