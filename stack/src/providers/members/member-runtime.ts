import type { WatchedProcess } from '@stackdrill/toolkit';
import type { ComponentName } from '../../components/handle.ts';

/** What the stack's members run: a provider maps each to a binary here (native) or to an image (containers). */
export type MemberProgram =
  | 'redis-server'
  | 'kafka'
  | 'ferretdb'
  | 'mongod'
  | 'toxiproxy'
  | 'node-app'
  /** The web UI's own server (nginx), where a provider serves the UI apart from the gateway. */
  | 'ui-server'
  /** A SOCKS5 server on the stack's network (microsocks): this machine's way to MongoDB's named members. */
  | 'socks-gate';

/**
 * How one member runs, said once for every provider: the program, its arguments, environment and
 * files, and its ports. The components render it from the topology and the runtime's placement;
 * the runtime starts it as a process or a container.
 */
export interface MemberLaunch {
  member: string;
  component: ComponentName;
  program: MemberProgram;
  /** Arguments after the program (`kafka`: the JVM's options, main class and its arguments; `node-app`: the service's directory). */
  args: string[];
  env?: Record<string, string>;
  /** Files the member reads, written into its directory before it starts (names relative to it). */
  files?: { name: string; content: string }[];
  /** Directories the member needs in its directory, made before it starts. */
  dirs?: string[];
  /** Every port the member listens on, as it sees them. */
  ports: number[];
  /** Where this machine reaches it: the host's port for each member port it may reach (the same ports on native). */
  published: { host: number; member: number }[];
  /**
   * Run once with these arguments before the first start of a member whose data is new (Kafka
   * formats its storage); `creates` is the file it leaves in the member's directory.
   */
  init?: { args: string[]; creates: string; what: string; hint: string };
}

/** Where members run and how they reach each other: what a component renders addresses from. */
export interface Placement {
  /** The address members bind their listeners to. */
  bindHost: string;
  /** Where the other members reach `member` (containers: its name on the stack's network). */
  stackHost(member: string): string;
  /** The member's own directory, as the member sees it. */
  dir(member: string): string;
}

/** A member as its runtime sees it (not its protocol): running, frozen, since when. */
export interface MemberState {
  running: boolean;
  paused: boolean;
  pid?: number;
  uptimeS?: number;
  /** Why it is not running, e.g. `process exited` or `container exited (137)`. */
  detail?: string;
}

/**
 * Runs members and acts on them: supervised processes on this machine, or containers. What the
 * components (and through them chaos and drills) control a member through.
 */
export interface MemberRuntime {
  readonly placement: Placement;
  state(member: string): Promise<MemberState>;
  /** Starts it (first checking that its ports are free); resolves once it runs, not once it answers. */
  start(launch: MemberLaunch): Promise<void>;
  /** Stops it gracefully, killing it after `graceMs`; a member that is not running is left alone. */
  stop(member: string, graceMs: number): Promise<void>;
  /** Kills it without clean-up; resolves once it is dead. */
  kill(member: string): Promise<void>;
  /** Freezes it; resolves once it is frozen (a request sent before would still be answered). */
  pause(member: string): Promise<void>;
  resume(member: string): Promise<void>;
  /** The member as a wait watches it: its death ends the wait, with its log's last lines. */
  watch(member: string): WatchedProcess;
}
