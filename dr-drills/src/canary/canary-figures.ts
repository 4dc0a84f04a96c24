import type { CanaryWrite } from './canary.ts';

/** What one canary's writes and the datastore's contents say about a drill. */
export interface CanaryFigures {
  datastore: string;
  where: string;
  written: number;
  acked: number;
  failed: number;
  /** Acknowledged, and not in the datastore afterwards: the writes the fault lost. */
  lost: number[];
  /** The first lost writes in full (when sent, when acknowledged), to line them up with the faults. */
  lostWrites: CanaryWrite[];
  /** Not acknowledged (failed or timed out), and in the datastore anyway: harmless, reported. */
  landedUnacked: number;
  landedUnackedSeqs: number[];
  /** Sequence numbers the datastore holds more than once (a duplicating client). */
  duplicated: number[];
  /** From the fault to the first write of a healthy run after it (0: no write failed or was slow). */
  rtoMs: number | undefined;
  /** From the oldest lost acknowledged write to the fault (0: nothing acknowledged was lost). */
  rpoMs: number;
  /** When the first write failed or was slow after the fault, and when the healthy run began. */
  outage: { from: number; to: number | undefined } | undefined;
}

export interface FigureOptions {
  /** When the fault began (ms since the epoch). */
  faultAt: number;
  /** A write acknowledged slower than this counts as failing (default 1000 ms). */
  slowMs?: number;
  /** How long writes must go well in a row for the datastore to count as recovered (default 1 s). */
  healthyForMs?: number;
}

/**
 * Compares a canary's log with what the datastore holds, and measures its outage: the first write
 * after the fault that failed (or was slower than `slowMs`), and the first write of the first run,
 * `healthyForMs` long, of writes acknowledged in time after it. A datastore the fault never
 * disturbed has an RTO of 0.
 */
export function canaryFigures(
  log: readonly CanaryWrite[],
  stored: readonly number[],
  meta: { datastore: string; where: string },
  options: FigureOptions,
): CanaryFigures {
  const slowMs = options.slowMs ?? 1000;
  const healthyForMs = options.healthyForMs ?? 1000;
  const held = new Set(stored);
  const seen = new Set<number>();
  const duplicated = new Set<number>();
  for (const seq of stored) (seen.has(seq) ? duplicated : seen).add(seq);

  const acked = log.filter((w) => w.ackedAt !== undefined);
  const lost = acked.filter((w) => !held.has(w.seq));
  const landed = log.filter((w) => w.ackedAt === undefined && held.has(w.seq)).map((w) => w.seq);
  const good = (w: CanaryWrite) => w.ackedAt !== undefined && w.ackedAt - w.sentAt <= slowMs;

  const after = log.filter((w) => w.sentAt >= options.faultAt || (w.ackedAt ?? Infinity) >= options.faultAt);
  const firstBad = after.findIndex((w) => !good(w));
  let outage: CanaryFigures['outage'];
  let rtoMs: number | undefined = 0;
  if (firstBad >= 0) {
    const from = after[firstBad]!.sentAt;
    let to: number | undefined;
    for (let i = firstBad + 1; i < after.length && to === undefined; i++) {
      if (!good(after[i]!)) continue;
      let j = i;
      while (j + 1 < after.length && good(after[j + 1]!)) j++;
      const runMs = after[j]!.ackedAt! - after[i]!.sentAt;
      // A run that reaches the end of the log counts when it is long enough, as any other.
      if (runMs >= healthyForMs) to = after[i]!.ackedAt!;
      i = j;
    }
    outage = { from, to };
    rtoMs = to === undefined ? undefined : to - options.faultAt;
  }
  const oldestLost = lost.reduce((min, w) => Math.min(min, w.ackedAt!), Infinity);
  return {
    ...meta,
    written: log.length,
    acked: acked.length,
    failed: log.length - acked.length,
    lost: lost.map((w) => w.seq),
    lostWrites: lost.slice(0, 20),
    landedUnacked: landed.length,
    landedUnackedSeqs: landed.slice(0, 20),
    duplicated: [...duplicated].sort((a, b) => a - b),
    rtoMs,
    rpoMs: lost.length ? Math.max(0, options.faultAt - oldestLost) : 0,
    outage,
  };
}
