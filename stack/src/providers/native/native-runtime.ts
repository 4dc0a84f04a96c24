import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathExists, StackError, TOOLS, type WatchedProcess } from '@stackdrill/toolkit';
import type { ResolvedInstance } from '@stackdrill/facts';
import { REPO_ROOT, type InstancePaths } from '../../paths.ts';
import { isPortFree } from '../../process/ports.ts';
import type { ProcessSpec, Supervisor } from '../../process/supervisor.ts';
import { toxiproxyBinary } from '../../doctor/requirements.ts';
import type { NativeTools } from '../../doctor/doctor.ts';
import type { MemberLaunch, MemberRuntime, MemberState, Placement } from '../members/member-runtime.ts';

/** What the native runtime runs with: the instance's files and the doctor's binaries. */
export interface NativeRuntimeContext {
  instance: ResolvedInstance;
  paths: InstancePaths;
  supervisor: Supervisor;
  tools: () => NativeTools;
  /**
   * Finds the binaries (the doctor) when the provider was opened without them, before a member is
   * started: a provider opened to act on a running stack (chaos, drills) restarts members too.
   */
  ensureTools: () => Promise<void>;
}

/**
 * Members as supervised processes on this machine, on loopback: each in its own directory under
 * the instance's home, logging to its own file. Signals do what the engine does for containers.
 */
export class NativeRuntime implements MemberRuntime {
  readonly placement: Placement;

  constructor(private readonly ctx: NativeRuntimeContext) {
    const host = ctx.instance.host;
    this.placement = { bindHost: host, stackHost: () => host, dir: (m) => ctx.paths.member(m) };
  }

  async state(member: string): Promise<MemberState> {
    const { supervisor } = this.ctx;
    const record = supervisor.record(member);
    if (!record || !(await supervisor.isRunning(record))) {
      return { running: false, paused: false, detail: record ? 'process exited' : 'not started' };
    }
    const paused = await supervisor.isPaused(record);
    return {
      running: true,
      paused,
      pid: record.pid,
      uptimeS: Math.round((Date.now() - Date.parse(record.startedAt)) / 1000),
      ...(paused ? { detail: 'process paused (SIGSTOP)' } : {}),
    };
  }

  async start(launch: MemberLaunch): Promise<void> {
    const { host } = this.ctx.instance;
    for (const port of launch.ports) {
      if (!(await isPortFree(port, host))) {
        throw new StackError({
          component: launch.member,
          message: `port ${host}:${port} is already in use by another process`,
          hint: `find the owner with \`ss -ltnp 'sport = :${port}'\` and stop it, or run a separate stack with \`--instance test\``,
        });
      }
    }
    await this.ctx.ensureTools();
    const dir = this.ctx.paths.member(launch.member);
    await mkdir(dir, { recursive: true });
    for (const sub of launch.dirs ?? []) await mkdir(join(dir, sub), { recursive: true });
    for (const file of launch.files ?? []) await writeFile(join(dir, file.name), file.content);
    const spec = this.processSpec(launch, dir);
    if (launch.init && !(await pathExists(join(dir, launch.init.creates)))) {
      await TOOLS.run(spec.command, this.processSpec({ ...launch, args: launch.init.args }, dir).args, {
        timeoutMs: 60_000,
        what: launch.init.what,
        component: launch.member,
        hint: launch.init.hint,
      });
    }
    await this.ctx.supervisor.start(spec);
  }

  /** The program's binary (the doctor's) and its arguments. */
  private processSpec(launch: MemberLaunch, dir: string): ProcessSpec {
    const tools = this.ctx.tools();
    const base = {
      member: launch.member,
      component: launch.component,
      cwd: dir,
      logFile: this.ctx.paths.log(launch.member),
    };
    // Members get this machine's PATH and HOME and their own variables, nothing else of the CLI's.
    const env = launch.env
      ? { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...launch.env }
      : undefined;
    const withEnv = env ? { env } : {};
    switch (launch.program) {
      case 'redis-server':
        return { ...base, ...withEnv, command: tools.redisServer, args: launch.args };
      case 'kafka':
        return {
          ...base,
          ...withEnv,
          command: tools.java,
          args: ['-cp', tools.kafkaClasspath, ...launch.args],
        };
      case 'ferretdb':
        return { ...base, ...withEnv, command: tools.ferretdb, args: launch.args };
      case 'mongod':
        if (!tools.mongod)
          throw new StackError({ component: launch.member, message: 'no mongod binary on this machine' });
        return { ...base, ...withEnv, command: tools.mongod, args: launch.args };
      case 'toxiproxy':
        return { ...base, ...withEnv, command: toxiproxyBinary(), args: launch.args };
      case 'socks-gate':
        throw new StackError({
          component: launch.member,
          message: 'the native provider needs no gate: its members are on this machine’s loopback',
        });
      case 'ui-server':
        throw new StackError({
          component: launch.member,
          message: 'the native provider serves the web UI from the gateway, not from a server of its own',
        });
      case 'node-app':
        return {
          ...base,
          ...withEnv,
          cwd: REPO_ROOT,
          command: process.execPath,
          args: ['--import', 'tsx', join(REPO_ROOT, 'services', launch.args[0]!, 'src', 'main.ts')],
        };
    }
  }

  async stop(member: string, graceMs: number): Promise<void> {
    await this.ctx.supervisor.stop(member, graceMs);
  }

  async kill(member: string): Promise<void> {
    const { supervisor } = this.ctx;
    await supervisor.signal(member, 'SIGKILL');
    const record = supervisor.record(member);
    while (await supervisor.isRunning(record)) await sleep(20);
  }

  /** Resolves once the process is stopped: a signal is delivered asynchronously, and a request sent
   * in the meantime would still be answered (a multi-threaded process stops when every thread has). */
  async pause(member: string): Promise<void> {
    const { supervisor } = this.ctx;
    await supervisor.signal(member, 'SIGSTOP');
    const record = supervisor.record(member);
    const deadline = Date.now() + 2000;
    while (record && !(await supervisor.isPaused(record)) && Date.now() < deadline) await sleep(5);
  }

  async resume(member: string): Promise<void> {
    await this.ctx.supervisor.signal(member, 'SIGCONT');
  }

  watch(member: string): WatchedProcess {
    return {
      member,
      logFile: this.ctx.paths.log(member),
      isRunning: async () => (await this.state(member)).running,
    };
  }
}
