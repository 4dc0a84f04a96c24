import { errorMessage } from '@stackdrill/toolkit';

/** Where a canary writes: one datastore, one sequence of records. */
export interface CanaryStore {
  /** The datastore, as the report names it (`redis`, `kafka`, `mongo`). */
  readonly datastore: string;
  /** Where the records go, for the report (a key, a topic, a collection). */
  readonly where: string;
  open(): Promise<void>;
  /** Writes record `seq`; resolves when the datastore acknowledged it (throws when it refused). */
  write(seq: number): Promise<void>;
  /** Every sequence number the datastore holds now (read after the drill, once it recovered). */
  stored(): Promise<number[]>;
  close(): Promise<void>;
}

/** One write: when it was sent, and when it was acknowledged or what went wrong. */
export interface CanaryWrite {
  seq: number;
  sentAt: number;
  ackedAt?: number;
  error?: string;
}

export interface CanaryOptions {
  /** A write every this often (default 100 ms), one at a time: acknowledgements come in sequence order. */
  intervalMs?: number;
  /** A write not acknowledged within this is counted as failed (it may still land: then it is not lost). */
  timeoutMs?: number;
  /**
   * Chaos-testing the checks themselves: the canary records these sequence numbers as acknowledged
   * but never sends them, as a datastore that drops an acknowledged write would. The drill must fail.
   */
  dropAcked?: ReadonlySet<number>;
}

/**
 * A canary writer: sequenced writes to one datastore at a steady pace while a drill runs, every
 * acknowledgement recorded with its time, so the drill can say afterwards which acknowledged writes
 * the datastore no longer holds (lost), how long writes failed (the RTO the application felt) and
 * the newest acknowledged write that survived (the RPO).
 */
export class CanaryWriter {
  private readonly log: CanaryWrite[] = [];
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly store: CanaryStore,
    private readonly options: CanaryOptions = {},
  ) {}

  async start(): Promise<void> {
    await this.store.open();
    this.running = this.loop();
  }

  /** Stops writing (the write in flight finishes or times out). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
  }

  writes(): readonly CanaryWrite[] {
    return this.log;
  }

  private async loop(): Promise<void> {
    const interval = this.options.intervalMs ?? 100;
    const timeout = this.options.timeoutMs ?? 5000;
    for (let seq = 1; !this.stopping; seq++) {
      const started = Date.now();
      const entry: CanaryWrite = { seq, sentAt: started };
      this.log.push(entry);
      try {
        if (this.options.dropAcked?.has(seq)) entry.ackedAt = Date.now();
        else {
          await withTimeout(this.store.write(seq), timeout);
          entry.ackedAt = Date.now();
        }
      } catch (error) {
        entry.error = errorMessage(error);
      }
      const wait = interval - (Date.now() - started);
      if (wait > 0 && !this.stopping)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
    }
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // A write that is given up on may settle later: its outcome is not wanted, nor its rejection.
  work.catch(() => {});
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not acknowledged within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
