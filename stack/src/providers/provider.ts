import type { ComponentHandle, ComponentName, ComponentStatus, Endpoints } from '../components/handle.ts';
import type { AppSecrets } from '../components/app/app-env.ts';
import type { DoctorEvent } from '../doctor/doctor.ts';
import type { InstanceName } from '@stackdrill/facts';
import type { ImagesEvent, ImagesMode } from '../images/build-images.ts';

/** Where a stack can run: processes here, containers, a kind cluster or a real one. */
export type ProviderName = 'native' | 'containers' | 'kind' | 'cluster';

export type UpOutcome = 'started' | 'already-running';

/** What `up` reports as it goes; the CLI prints them, tests and drills may ignore them. */
export type UpEvent =
  | { type: 'doctor'; event: DoctorEvent }
  | { type: 'purged'; path: string }
  /** Containers: which build of the images the stack runs (on which base), and which it runs as published. */
  | { type: 'images'; mode: ImagesMode; base: string; published: string[] }
  /** Containers: a published image the stack runs (online, the official Kafka and MongoDB) was missing and is being pulled. */
  | {
      type: 'images-pull';
      image: string;
      state: 'pulling' | 'progress' | 'pulled';
      bytes?: number;
      of?: number;
      ms?: number;
    }
  /** Containers: an image the stack needs was missing and is being built. */
  | { type: 'images-build'; event: ImagesEvent }
  | { type: 'stage'; components: ComponentName[] }
  | { type: 'progress'; component: ComponentName; message: string }
  | { type: 'ready'; component: ComponentName; outcome: UpOutcome; ms: number }
  | { type: 'failed'; component: ComponentName; error: unknown };

export interface UpOptions {
  /** Stop the instance and delete its data first. */
  fresh?: boolean;
  /** The data tier only (MongoDB, Redis, Kafka), not the app. */
  dataOnly?: boolean;
  /**
   * Put the fault proxy between the app and the data tier (default: yes), so that network faults can
   * be injected; it costs CPU on every data-tier call (docs/figures.md), so benches turn it off.
   * Takes effect when the app starts.
   */
  faultProxy?: boolean;
  /** Aborting stops what this call started (members already up stay up). */
  signal?: AbortSignal;
  /** With `fresh`: start from a backup instead of from nothing (a restore into a second region). */
  restore?: RestoreSeed;
  /**
   * Containers: a member's stopped container made from the same image and settings is started
   * again as it is, instead of being made anew (Testcontainers' reuse). Other providers ignore it.
   */
  reuse?: boolean;
  /**
   * Containers: run the images built on the pinned public base (\`pnpm images:build\`) or on the
   * offline one (\`--offline\`); unsaid, what the instance ran on before, else what is built.
   */
  images?: ImagesMode;
}

/** What a fresh instance starts from when it is a restore: given to the provider, which places it. */
export interface RestoreSeed {
  /** A Redis RDB file: the first master loads it (its replicas then sync from it). */
  redisRdb?: string;
  /** The source's secrets, as a vault hands them over: its sessions and tokens stay valid. */
  appSecrets?: AppSecrets;
}

export interface UpResult {
  outcomes: Partial<Record<ComponentName, UpOutcome>>;
  /** True when everything was up already. */
  alreadyUp: boolean;
}

/** A process of a member on this machine, as the load's CPU accounting reads it. */
export interface LocalProcess {
  member: string;
  pid: number;
}

export interface DownOptions {
  /** Leave what a later `up` resumes from: the stopped containers, their network and volumes. */
  keep?: boolean;
  /** What `down` reports as it goes (the CLI prints it). */
  onEvent?: (event: DownEvent) => void;
}

export type DownEvent =
  | { type: 'stopping'; component: ComponentName }
  | { type: 'stopped'; component: ComponentName; ms: number }
  | { type: 'deleting'; what: string };

export interface DownResult {
  stopped: number;
  /** The instance's data was deleted too (nothing of it is left). */
  deleted: boolean;
}

/**
 * One instance of the stack on one provider: what every command, test, bench, chaos experiment
 * and drill acts through. Nothing outside a provider's own directory knows how it runs its members.
 */
export interface Provider {
  readonly name: ProviderName;
  readonly instance: InstanceName;
  /** Where the instance's state, logs and data are kept on this machine. */
  readonly home: string;

  /**
   * Starts whatever is not running and waits until every component answers its protocol. On a
   * failure or an abort, stops what this call started and throws (a StackError saying what failed).
   */
  up(options: UpOptions, onEvent?: (event: UpEvent) => void): Promise<UpResult>;
  /**
   * Stops every member; says how many it stopped and whether the instance's data went with them.
   * Throws when one is still running after. The native provider keeps the data (its files) for a
   * later `up`; a container engine's instance is removed whole (containers, network, volumes) unless
   * `keep` says to leave the stopped containers and their volumes.
   */
  down(options?: DownOptions): Promise<DownResult>;
  /** Deletes every member's data, configs and logs. Refuses while anything runs. */
  purge(): Promise<void>;
  /**
   * What of the instance still exists on this machine (processes, containers, networks, volumes,
   * files), each named: empty after `down` and `purge`.
   */
  leftovers(): Promise<string[]>;
  status(options?: { dataOnly?: boolean }): Promise<ComponentStatus[]>;

  /** Every component's handle: the data tier first, then the app. */
  handles(): ComponentHandle[];
  handle(name: ComponentName): ComponentHandle;
  /**
   * Where clients connect. `host`: from this machine (tests, load, the CLI); `stack`: from inside
   * the stack (containers and pods reach each other by other names than the host does).
   */
  endpoints(view?: 'host' | 'stack'): Endpoints;
  /** The members' log file, when the provider keeps one on this machine. */
  logFile(member: string): string | undefined;
  /** The last lines of a member's log where it is kept elsewhere (a container engine), and how to follow it. */
  logTail?(member: string, lines: number): Promise<{ text: string; follow: string }>;

  /** True when any member runs. */
  isRunning(): Promise<boolean>;
  /** The member processes running on this machine (none for containers or a cluster). */
  localProcesses(): Promise<LocalProcess[]>;
  /** Resident memory of every running member, in bytes. */
  residentBytes(): Promise<number>;
  /**
   * Where the fault proxy's API answers (Toxiproxy's HTTP API): it holds a proxy per fault point,
   * named after the member behind it, through which the app reaches the data tier.
   */
  faultProxyApi(): string | undefined;
  /** The secrets the app runs with (made on its first start): tests sign tokens with them, the load marks its traffic. */
  appSecrets(): AppSecrets | undefined;
}

/** `up` failed or was interrupted: what failed, and what it stopped of what it had started. */
export class UpFailed extends Error {
  constructor(
    readonly errors: unknown[],
    readonly stopped: string[],
    readonly interrupted: boolean,
  ) {
    super(
      `${interrupted ? 'start-up was interrupted' : 'start-up failed'}: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`,
    );
    this.name = 'UpFailed';
  }
}
