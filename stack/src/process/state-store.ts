import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { InstanceName } from '@stackdrill/facts';

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
}

export interface StackState {
  version: 1;
  instance: InstanceName;
  provider: string;
  processes: Record<string, ProcessRecord>;
  facts: StackFacts;
}

/** The instance's state.json: read once, updated in memory, written atomically after each change. */
export class StateStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    readonly state: StackState,
  ) {}

  static async open(file: string, instance: InstanceName, provider: string): Promise<StateStore> {
    let state: StackState;
    try {
      state = JSON.parse(await readFile(file, 'utf8')) as StackState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new Error(
          `cannot read the stack state file ${file} (${String(error)}); delete it to start over`,
        );
      }
      state = { version: 1, instance, provider, processes: {}, facts: {} };
    }
    return new StateStore(file, state);
  }

  setProcess(record: ProcessRecord): Promise<void> {
    this.state.processes[record.member] = record;
    return this.save();
  }

  removeProcess(member: string): Promise<void> {
    delete this.state.processes[member];
    return this.save();
  }

  setFacts(facts: Partial<StackFacts>): Promise<void> {
    Object.assign(this.state.facts, facts);
    return this.save();
  }

  /** Writes are chained so concurrent updates land in order and never interleave. */
  save(): Promise<void> {
    const snapshot = JSON.stringify(this.state, null, 2);
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, snapshot);
      await rename(tmp, this.file);
    });
    return this.writing;
  }
}
