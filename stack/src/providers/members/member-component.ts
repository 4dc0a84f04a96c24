import { StackError } from '@stackdrill/toolkit';
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
import type { StateStore } from '../../process/state-store.ts';
import { faultPointsOf, FAULT_PROXY, type ResolvedInstance } from '@stackdrill/facts';
import type { UpOutcome } from '../provider.ts';
import type { MemberLaunch, MemberRuntime } from './member-runtime.ts';

export type { UpOutcome } from '../provider.ts';

/** What a component needs from its provider: the instance, its state, and the runtime that runs members. */
export interface MemberContext {
  instance: ResolvedInstance;
  store: StateStore;
  runtime: MemberRuntime;
}

/** Progress lines for the CLI, e.g. `starting 3 nodes`. */
export type Report = (message: string) => void;

/**
 * A component of the stack, whatever runs its members: subclasses say how to launch and probe a
 * member and how the component comes up (the start-up logic every provider shares); the runtime
 * runs the members. This class owns the member control (kill, pause, resume, restart) that chaos
 * and drills use.
 */
export abstract class MemberComponent implements ComponentHandle {
  abstract readonly name: ComponentName;
  /** How long a member gets to exit after a graceful stop before it is killed. */
  protected abstract readonly stopGraceMs: number;

  constructor(protected readonly ctx: MemberContext) {}

  abstract memberNames(): string[];
  /** The ports a member listens on, as this machine reaches them. */
  protected abstract memberPorts(member: string): number[];
  /** How the member runs: rendered fresh for every start. */
  protected abstract launch(member: string): Promise<MemberLaunch>;
  /** Wait until the member answers its own protocol. */
  protected abstract waitUp(member: string): Promise<void>;
  /** Protocol-level status, before the runtime's facts are added. */
  protected abstract probe(): Promise<ComponentStatus>;
  /** Start whatever is not running and wait until the whole component is ready. */
  abstract up(report: Report): Promise<UpOutcome>;

  protected get runtime(): MemberRuntime {
    return this.ctx.runtime;
  }

  /** Where this machine reaches the members. */
  protected get host(): string {
    return this.ctx.instance.host;
  }

  /** Where the other members reach `member`. */
  protected stackHost(member: string): string {
    return this.runtime.placement.stackHost(member);
  }

  /** Whether members reach each other at other addresses than this machine does (containers). */
  protected get namedOnStack(): boolean {
    return this.memberNames().some((m) => this.stackHost(m) !== this.host);
  }

  /** Members in the order they should stop (default: as declared). */
  protected stopOrder(): string[][] {
    return [this.memberNames()];
  }

  async status(): Promise<ComponentStatus> {
    // None of it runs: a probe would only wait out its connection retries (seconds, for Kafka).
    if ((await this.runningMembers()).length === 0) return this.notRunning();
    const status = await this.probe();
    for (const member of status.members) await this.addRuntimeFacts(member);
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
        host: this.host,
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

  /** The fault points in front of this component's members, as the stack reaches them. */
  faultPoints(): FaultPoint[] {
    const members = this.memberNames();
    return stackFaultPoints(this.ctx.instance, (m) => this.stackHost(m)).filter(
      (p) => p.component === this.name && members.includes(p.member),
    );
  }

  async isRunning(member: string): Promise<boolean> {
    return (await this.runtime.state(member)).running;
  }

  async runningMembers(): Promise<string[]> {
    const states = await Promise.all(this.memberNames().map((m) => this.runtime.state(m)));
    return this.memberNames().filter((_, i) => states[i]!.running);
  }

  protected watch(member: string) {
    return this.runtime.watch(member);
  }

  protected async startMember(member: string): Promise<void> {
    await this.runtime.start(await this.launch(member));
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
    await this.runtime.kill(member);
  }

  async pause(member: string): Promise<void> {
    this.assertMember(member);
    await this.runtime.pause(member);
  }

  async resume(member: string): Promise<void> {
    this.assertMember(member);
    await this.runtime.resume(member);
  }

  async restart(member: string): Promise<void> {
    this.assertMember(member);
    await this.runtime.stop(member, this.stopGraceMs);
    await this.startMember(member);
    await this.waitUp(member);
  }

  /** Stop every member (gracefully, then killed after the grace period). */
  async down(): Promise<void> {
    for (const group of this.stopOrder()) {
      await Promise.all(group.map((m) => this.runtime.stop(m, this.stopGraceMs)));
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

  private async addRuntimeFacts(member: MemberStatus): Promise<void> {
    const state = await this.runtime.state(member.member);
    if (!state.running) {
      member.role = 'down';
      member.healthy = false;
      member.detail = state.detail ?? 'not running';
      return;
    }
    if (state.pid !== undefined) member.pid = state.pid;
    if (state.uptimeS !== undefined) member.uptimeS = state.uptimeS;
    if (state.paused) {
      member.role = 'paused';
      member.healthy = false;
      member.detail = state.detail ?? 'paused';
    }
  }
}

/** Every declared fault point of the instance, as the stack's members reach the proxy and the member behind it. */
export function stackFaultPoints(
  instance: ResolvedInstance,
  stackHost: (member: string) => string,
): FaultPoint[] {
  const proxy = stackHost(FAULT_PROXY.name);
  return faultPointsOf(instance).map((p) => ({
    component: p.component,
    member: p.member,
    listen: { host: proxy, port: p.listenPort },
    upstream: { host: stackHost(p.member), port: p.port },
  }));
}
