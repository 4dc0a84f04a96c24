import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { UI_DIST } from '@stackdrill/frontend/paths';
import { pathExists, residentBytes, StackError } from '@stackdrill/toolkit';
import { resolveInstance, type InstanceName } from '@stackdrill/facts';
import { instancePaths } from '../../paths.ts';
import { StateStore } from '../../process/state-store.ts';
import { Supervisor } from '../../process/supervisor.ts';
import { runDoctor, type NativeTools } from '../../doctor/doctor.ts';
import { MemberProvider } from '../members/member-provider.ts';
import type { Report } from '../members/member-component.ts';
import type { DownOptions, DownResult, LocalProcess, UpEvent, UpOptions } from '../provider.ts';
import { NativeRuntime } from './native-runtime.ts';

/** Tools for commands that only read or stop (status, down): nothing is started, so nothing is needed. */
const NO_TOOLS: NativeTools = {
  redisServer: 'redis-server',
  java: 'java',
  kafkaClasspath: '',
  ferretdb: 'ferretdb',
};

/**
 * The embedded default: every member a supervised process on this machine, on loopback. The
 * start-up is the seam's (MemberProvider); this class brings the processes and the doctor's binaries.
 */
export class NativeProvider extends MemberProvider {
  readonly name = 'native';

  private constructor(
    parts: ConstructorParameters<typeof MemberProvider>[0],
    readonly supervisor: Supervisor,
    private readonly tools: { current: NativeTools },
  ) {
    super(parts);
  }

  /** `tools` are the doctor's (`up` runs it); a test may pass them to drive one component. */
  static async open(instanceName: InstanceName, tools: NativeTools = NO_TOOLS): Promise<NativeProvider> {
    const resolved = resolveInstance(instanceName);
    const paths = instancePaths(instanceName);
    const store = await StateStore.open(paths.stateFile, instanceName, 'native');
    const supervisor = new Supervisor(store);
    const held = { current: tools };
    const runtime = new NativeRuntime({
      instance: resolved,
      paths,
      supervisor,
      tools: () => held.current,
      // Opened without tools (to act on a running stack), a restart spawned `ferretdb` by a bare name
      // and Kafka with an empty classpath: ENOENT, and the member stayed down.
      ensureTools: async () => {
        if (held.current === NO_TOOLS) held.current = await runDoctor();
      },
    });
    return new NativeProvider(
      {
        resolved,
        paths,
        store,
        runtime,
        mongoAvailable: () => (held.current.mongod ? 'mongod' : 'ferretdb'),
        ui: { gatewayUiDir: UI_DIST, ensureBuilt: buildUiIfChanged },
      },
      supervisor,
      held,
    );
  }

  protected async prepare(_options: UpOptions, onEvent: (event: UpEvent) => void): Promise<void> {
    this.tools.current = await runDoctor({ onEvent: (event) => onEvent({ type: 'doctor', event }) });
  }

  protected async placeRedisRdb(member: string, file: string): Promise<void> {
    const dir = this.paths.member(member);
    await mkdir(dir, { recursive: true });
    await copyFile(file, join(dir, 'dump.rdb'));
  }

  protected async deleteData(): Promise<void> {
    await rm(this.paths.root, { recursive: true, force: true });
  }

  async leftovers(): Promise<string[]> {
    const processes = (await this.localProcesses()).map((p) => `process ${p.member} (pid ${p.pid})`);
    return [...processes, ...((await pathExists(this.paths.root)) ? [`directory ${this.paths.root}`] : [])];
  }

  logFile(member: string): string | undefined {
    return this.paths.log(member);
  }

  async localProcesses(): Promise<LocalProcess[]> {
    const running: LocalProcess[] = [];
    for (const record of this.supervisor.records()) {
      if (await this.supervisor.isRunning(record)) running.push({ member: record.member, pid: record.pid });
    }
    return running;
  }

  /**
   * Stops every member; anything recorded but not a known member (e.g. left by an older topology)
   * goes too. The data stays (`purge` deletes it), so `keep` changes nothing here.
   */
  async down(options: DownOptions = {}): Promise<DownResult> {
    const before = this.supervisor.records();
    await this.stopComponents(options.onEvent);
    await Promise.all(this.supervisor.records().map((r) => this.supervisor.stop(r.member, 5000)));
    const survivors = [];
    for (const record of before) if (await this.supervisor.isRunning(record)) survivors.push(record);
    if (survivors.length > 0) {
      throw new StackError({
        component: 'stack',
        message: `still running after stop: ${survivors.map((r) => `${r.member} (pid ${r.pid})`).join(', ')}`,
        hint: 'kill them by PID and run `pnpm stack:down` again',
      });
    }
    return { stopped: before.length, deleted: false };
  }

  async stopStartedSince(since: number): Promise<string[]> {
    this.supervisor.refuseNewStarts('start-up was interrupted or failed');
    const fresh = this.supervisor.records().filter((r) => Date.parse(r.startedAt) >= since);
    await Promise.all(fresh.map((r) => this.supervisor.stop(r.member, 3000)));
    return fresh.map((r) => r.member);
  }

  /** Resident memory of every running member, in bytes. */
  async residentBytes(): Promise<number> {
    let total = 0;
    for (const record of this.supervisor.records()) {
      if (await this.supervisor.isRunning(record)) total += await residentBytes(record.pid);
    }
    return total;
  }
}

/** The gateway serves the production build of the UI: rebuilt when its sources changed (~10 s). */
async function buildUiIfChanged(report: Report): Promise<boolean> {
  const { buildUi, uiBuildIsCurrent } = await import('@stackdrill/frontend/build');
  if (await uiBuildIsCurrent()) return false;
  report('building the web UI (vite)');
  try {
    await buildUi({ quiet: true });
  } catch (error) {
    throw new StackError({
      component: 'app',
      message: `the web UI did not build: ${(error as Error).message}`,
      hint: 'run `pnpm ui:build` to see the whole error',
    });
  }
  return true;
}
