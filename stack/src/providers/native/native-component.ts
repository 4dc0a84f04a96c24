import { setTimeout as sleep } from 'node:timers/promises';
import type { InstancePaths } from '../../paths.ts';
import { StackError, type WatchedProcess } from '@stackdrill/toolkit';
import {
  membersOf,
  type ComponentHandle,
  type ComponentName,
  type ComponentStatus,
  type FaultPoint,
  type Member,
  type MemberFilter,
  type MemberStatus,
} from '../../components/handle.ts';
import { isPortFree } from '../../process/ports.ts';
import type { ProcessRecord, StateStore } from '../../process/state-store.ts';
import type { ProcessSpec, Supervisor } from '../../process/supervisor.ts';
import { faultPointsOf, type ResolvedInstance } from '@stackdrill/facts';
import type { UpOutcome } from '../provider.ts';
import type { NativeTools } from '../../doctor/doctor.ts';

export type { NativeTools };

export interface NativeContext {
  instance: ResolvedInstance;
  paths: InstancePaths;
  supervisor: Supervisor;
  store: StateStore;
  tools: NativeTools;
  /**
   * Finds the binaries (the doctor) when this provider was opened without them, before a member is
   * started: a provider opened to act on a running stack (chaos, drills) restarts members too.
   */
  ensureTools: () => Promise<void>;
}

/** Progress lines for the CLI, e.g. `starting 3 nodes`. */
export type Report = (message: string) => void;

export type { UpOutcome } from '../provider.ts';

/**
 * A component run as local processes. Subclasses say how to configure, start and probe one member;
 * this class owns the member control (kill, pause, resume, restart) that chaos and drills use.
 */
export abstract class NativeComponent implements ComponentHandle {
  abstract readonly name: ComponentName;
  /** How long a member gets to exit after SIGTERM before SIGKILL. */
  protected abstract readonly stopGraceMs: number;

  constructor(protected readonly ctx: NativeContext) {}

  abstract memberNames(): string[];
  /** The ports a member listens on (checked free before it starts). */
  protected abstract memberPorts(member: string): number[];
  /** Render the member's config files and say how to run it. */
  protected abstract prepare(member: string): Promise<ProcessSpec>;
  /** Wait until the member answers its own protocol. */
  protected abstract waitUp(member: string): Promise<void>;
  /** Protocol-level status, before process facts are added. */
  protected abstract probe(): Promise<ComponentStatus>;
  /** Start whatever is not running and wait until the whole component is ready. */
  abstract up(report: Report): Promise<UpOutcome>;

  /** Members in the order they should stop (default: as declared). */
  protected stopOrder(): string[][] {
    return [this.memberNames()];
  }

  async status(): Promise<ComponentStatus> {
    // None of it runs: a probe would only wait out its connection retries (seconds, for Kafka).
    if ((await this.runningMembers()).length === 0) return this.notRunning();
    const status = await this.probe();
    for (const member of status.members) await this.addProcessFacts(member);
    status.healthy = status.healthy && status.members.every((m) => m.healthy);
    return status;
  }

  private notRunning(): ComponentStatus {
    return {
      component: this.name,
      flavor: 'not running',
      healthy: false,
      members: this.memberNames().map((member) => ({
        component: this.name,
        member,
        host: this.ctx.instance.host,
        port: this.memberPorts(member)[0] ?? 0,
        role: 'down' as const,
        healthy: false,
        detail: 'not running',
      })),
      problems: [],
      notes: [],
    };
  }

  async members(filter: MemberFilter = {}): Promise<Member[]> {
    return membersOf(await this.status(), filter);
  }

  faultPoints(): FaultPoint[] {
    const members = this.memberNames();
    return faultPointsOf(this.ctx.instance)
      .filter((p) => p.component === this.name && members.includes(p.member))
      .map((p) => ({
        component: this.name,
        member: p.member,
        listen: { host: p.host, port: p.listenPort },
        upstream: { host: p.host, port: p.port },
      }));
  }

  async isRunning(member: string): Promise<boolean> {
    return this.ctx.supervisor.isRunning(this.ctx.supervisor.record(member));
  }

  async runningMembers(): Promise<string[]> {
    const running = [];
    for (const member of this.memberNames()) if (await this.isRunning(member)) running.push(member);
    return running;
  }

  protected watch(member: string): WatchedProcess {
    return {
      member,
      logFile: this.ctx.paths.log(member),
      isRunning: () => this.isRunning(member),
    };
  }

  protected async startMember(member: string): Promise<ProcessRecord> {
    for (const port of this.memberPorts(member)) {
      if (!(await isPortFree(port, this.ctx.instance.host))) {
        throw new StackError({
          component: member,
          message: `port ${this.ctx.instance.host}:${port} is already in use by another process`,
          hint: `find the owner with \`ss -ltnp 'sport = :${port}'\` and stop it, or run a separate stack with \`--instance test\``,
        });
      }
    }
    await this.ctx.ensureTools();
    const spec = await this.prepare(member);
    return this.ctx.supervisor.start(spec);
  }

  /** Start every member that is not running, then wait for each to answer. */
  protected async startMissing(members: string[], report: Report, what: string): Promise<number> {
    const missing = [];
    for (const member of members) if (!(await this.isRunning(member))) missing.push(member);
    if (missing.length === 0) return 0;
    report(`starting ${missing.length} ${what}`);
    await Promise.all(missing.map((m) => this.startMember(m)));
    await Promise.all(missing.map((m) => this.waitUp(m)));
    return missing.length;
  }

  async kill(member: string): Promise<void> {
    this.assertMember(member);
    await this.ctx.supervisor.signal(member, 'SIGKILL');
    const record = this.ctx.supervisor.record(member);
    while (await this.ctx.supervisor.isRunning(record)) await sleep(20);
  }

  /** Resolves once the process is stopped: a signal is delivered asynchronously, and a request sent
   * in the meantime would still be answered (a multi-threaded process stops when every thread has). */
  async pause(member: string): Promise<void> {
    this.assertMember(member);
    await this.ctx.supervisor.signal(member, 'SIGSTOP');
    const record = this.ctx.supervisor.record(member);
    const deadline = Date.now() + 2000;
    while (record && !(await this.ctx.supervisor.isPaused(record)) && Date.now() < deadline) await sleep(5);
  }

  async resume(member: string): Promise<void> {
    this.assertMember(member);
    await this.ctx.supervisor.signal(member, 'SIGCONT');
  }

  async restart(member: string): Promise<void> {
    this.assertMember(member);
    await this.ctx.supervisor.stop(member, this.stopGraceMs);
    await this.startMember(member);
    await this.waitUp(member);
  }

  /** Stop every member (SIGTERM, then SIGKILL after the grace period). */
  async down(): Promise<void> {
    for (const group of this.stopOrder()) {
      await Promise.all(group.map((m) => this.ctx.supervisor.stop(m, this.stopGraceMs)));
    }
  }

  private assertMember(member: string): void {
    if (!this.memberNames().includes(member)) {
      throw new StackError({
        component: this.name,
        message: `has no member "${member}"`,
        hint: `members are: ${this.memberNames().join(', ')}`,
      });
    }
  }

  private async addProcessFacts(member: MemberStatus): Promise<void> {
    const record = this.ctx.supervisor.record(member.member);
    if (!record || !(await this.ctx.supervisor.isRunning(record))) {
      member.role = 'down';
      member.healthy = false;
      member.detail = record ? 'process exited' : 'not started';
      return;
    }
    member.pid = record.pid;
    member.uptimeS = Math.round((Date.now() - Date.parse(record.startedAt)) / 1000);
    if (await this.ctx.supervisor.isPaused(record)) {
      member.role = 'paused';
      member.healthy = false;
      member.detail = 'process paused (SIGSTOP)';
    }
  }
}
