import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { InstanceName } from '@stackdrill/facts';
import type { ImagesMode } from '../images/build-images.ts';

/** A process the supervisor started: enough to find it again, prove it is ours, and read its log. */
export interface ProcessRecord {
  member: string;
  component: string;
  pid: number;
  /** Kernel start time (clock ticks since boot): tells our process from a reused PID. */
  startTicks: number;
  startedAt: string;
  command: string;
  args: string[];
  cwd: string;
  logFile: string;
}

/** Facts the next run needs that no running process can tell it. */
export interface StackFacts {
  /** Whether the app reaches the data tier through the fault proxy (set when the app starts; absent: yes). */
  faultProxy?: boolean;
  /** The Redis data node that was master when the stack last stopped (warm restarts resume it). */
  redisMaster?: string;
  /** A data node to start from the restored RDB in its directory (a restore), until its AOF is written. */
  redisRestoredRdb?: string;
  /** Which MongoDB the stack runs: a mongod replica set or the FerretDB stand-in. */
  mongoFlavor?: 'mongod' | 'ferretdb';
  /** Set once `replSetInitiate` succeeded for this data directory. */
  mongoInitiated?: boolean;
  /** The Kafka cluster id the storage was formatted with. */
  kafkaClusterId?: string;
  /**
   * Secrets of this local stack (JWT key, service API key, load key), made on its first start; never
   * committed. A state from before the load key gets one on its next start.
   */
  appSecrets?: { jwtSecret: string; internalApiKey: string; loadKey?: string };
  /** Containers: which build of the stack's images it runs (on the public or the offline base). */
  images?: ImagesMode;
}

export interface StackState {
  version: 1;
  instance: InstanceName;
  provider: string;
  processes: Record<string, ProcessRecord>;
  facts: StackFacts;
}

/**
 * The instance's state.json, shared by every process that acts on the instance (`stack:up`, a chaos
 * run restarting a member, a drill, a test): each change is merged into the file as it is now,
 * under a lock file, and reads see the file as another process last wrote it. (Each process once
 * wrote its whole in-memory copy: a test's provider, still holding the old records, overwrote the
 * records of members a second provider had just restarted, and those ran on, unknown to the
 * state: their ports taken, `stack:down` blind to them.)
 */
export class StateStore {
  private writing: Promise<void> = Promise.resolve();
  /** The file's mtime and size when this process last read or wrote it. */
  private seen = '';
  /** Changes made in this process and not yet in the file, in order. */
  private readonly pending: ((state: StackState) => void)[] = [];

  private constructor(
    readonly file: string,
    private current: StackState,
  ) {
    this.seen = stamp(file);
  }

  static async open(file: string, instance: InstanceName, provider: string): Promise<StateStore> {
    const state = readState(file) ?? { version: 1, instance, provider, processes: {}, facts: {} };
    return new StateStore(file, state);
  }

  /** The state as the file holds it now (re-read when another process changed it). */
  get state(): StackState {
    const now = stamp(this.file);
    if (now !== this.seen) {
      // This process's changes not yet written stay in its view (a Kafka cluster id made a moment
      // ago must not be made again by the next node's start-up).
      this.current = this.withPending(readState(this.file) ?? { ...this.current, processes: {}, facts: {} });
      this.seen = now;
    }
    return this.current;
  }

  setProcess(record: ProcessRecord): Promise<void> {
    return this.update((state) => {
      state.processes[record.member] = record;
    });
  }

  removeProcess(member: string): Promise<void> {
    return this.update((state) => {
      delete state.processes[member];
    });
  }

  setFacts(facts: Partial<StackFacts>): Promise<void> {
    return this.update((state) => {
      Object.assign(state.facts, facts);
    });
  }

  /** The provider the instance now belongs to (a new or purged instance, claimed by its first `up`). */
  setProvider(provider: string): Promise<void> {
    return this.update((state) => {
      state.provider = provider;
    });
  }

  /** Forgets every record and fact (the data was deleted). */
  clear(): Promise<void> {
    return this.update((state) => {
      state.processes = {};
      state.facts = {};
    });
  }

  /**
   * Applies `change` to this process's view at once, then to the file as it is now, under the lock;
   * changes from one process are chained, so they land in order.
   */
  private update(change: (state: StackState) => void): Promise<void> {
    this.pending.push(change);
    change(this.current);
    this.writing = this.writing.then(() =>
      withFileLock(`${this.file}.lock`, async () => {
        try {
          await mkdir(dirname(this.file), { recursive: true });
          const state = readState(this.file) ?? structuredClone(this.current);
          change(state);
          const tmp = `${this.file}.${process.pid}.tmp`;
          await writeFile(tmp, JSON.stringify(state, null, 2));
          await rename(tmp, this.file);
          this.pending.splice(this.pending.indexOf(change), 1);
          this.current = this.withPending(state);
          this.seen = stamp(this.file);
        } catch (error) {
          this.pending.splice(this.pending.indexOf(change), 1);
          throw error;
        }
      }),
    );
    return this.writing;
  }

  /** `state` with this process's changes that are not written yet (each is safe to apply again). */
  private withPending(state: StackState): StackState {
    for (const change of this.pending) change(state);
    return state;
  }
}

/** The state file as another process last wrote it; undefined when there is none yet. */
export function readState(file: string): StackState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read the stack state file ${file} (${String(error)}); delete it to start over`);
  }
  try {
    return JSON.parse(text) as StackState;
  } catch (error) {
    throw new Error(`the stack state file ${file} is not JSON (${String(error)}); delete it to start over`);
  }
}

/** The file's modification time and size: changes when any process writes it. */
function stamp(file: string): string {
  try {
    const { mtimeMs, size, ino } = statSync(file);
    return `${mtimeMs}:${size}:${ino}`;
  } catch {
    return 'absent';
  }
}

/** How long a lock may be held before it is taken as left by a crashed process. */
const STALE_LOCK_MS = 5000;

/**
 * Runs `work` holding an exclusive lock file (created with O_EXCL: one holder across processes). A
 * lock older than STALE_LOCK_MS was left by a process that died holding it, and is taken over.
 */
async function withFileLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  await mkdir(dirname(lock), { recursive: true });
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) await rm(lock, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}
