import type { Collection, Db } from 'mongodb';
import { isDuplicateKey, type Logger } from '@stackdrill/kit';
import { ceilHour, ceilMinute, floorHour, floorMinute, hourKey, minuteKey } from './buckets.ts';
import type { CountedFactRow, FactStore } from './facts.ts';
import { Tallies, Tally, type TallyBody } from './tally.ts';

/**
 * A minute is rolled up this long after it ends. The margin beyond LATE_AFTER_MS (2 minutes) is
 * what the replicas' clocks may differ by, plus an insert's latency: a fact recorded on time must
 * be in the collection before any replica rolls its minute up.
 */
export const ROLL_AFTER_MS = 3 * 60_000;

/** The sums of one minute's or one hour's facts recorded on time, inserted once (its `_id` is the bucket). */
export interface Rollup extends TallyBody {
  _id: string;
  kind: 'minute' | 'hour';
  start: Date;
  hour: string;
}

/** How far the rollups reach: every bucket before `minutesThrough` (`hoursThrough`) with facts has one. */
interface Coverage {
  _id: 'facts';
  minutesThrough?: Date;
  hoursThrough?: Date;
}

const rollupId = (kind: 'minute' | 'hour', t: number) =>
  kind === 'minute' ? `m:${minuteKey(t)}` : `h:${hourKey(t)}`;

/**
 * Sums kept per closed minute and hour, so a read of any range costs the same however many facts
 * it spans: the rollups of its whole hours and minutes, the facts of its partial minutes and of the
 * last minutes not rolled up yet, and the few facts recorded late. No update is ever made to a
 * rollup: each is inserted once with its bucket as `_id` (replicas rolling at once insert the same
 * one), and the coverage only moves a claim that the rollups before it exist (a stale write moves
 * it back, which costs reads, never a count).
 */
export class RollupStore {
  readonly rollups: Collection<Rollup>;
  private readonly coverage: Collection<Coverage>;

  /** `clock` is now (a test sets it). */
  constructor(
    db: Db,
    private readonly facts: FactStore,
    private readonly clock: () => number = Date.now,
  ) {
    this.rollups = db.collection<Rollup>('fact_rollups');
    this.coverage = db.collection<Coverage>('fact_rollup_coverage');
  }

  /** Rolls up the minutes closed ROLL_AFTER_MS ago, then the hours they complete; says how many it inserted. */
  async roll(): Promise<{ minutes: number; hours: number }> {
    const coverage = (await this.coverage.findOne({ _id: 'facts' })) ?? { _id: 'facts' };
    let minutesThrough = coverage.minutesThrough?.getTime();
    const minuteTarget = floorMinute(this.clock() - ROLL_AFTER_MS);
    let minutes = 0;
    if (minutesThrough === undefined || minutesThrough < minuteTarget) {
      const byMinute = new Map<number, Tally>();
      for await (const fact of this.facts.between(minutesThrough, minuteTarget)) {
        if (fact.lateMinute !== undefined) continue;
        const minute = floorMinute(fact.at.getTime());
        byMinute.set(minute, (byMinute.get(minute) ?? new Tally()).add(fact));
      }
      minutes = await this.insertAll(
        [...byMinute].map(([start, tally]) => this.rollup('minute', start, tally)),
      );
      await this.moveCoverage({ minutesThrough: new Date(minuteTarget) });
      minutesThrough = minuteTarget;
    }

    const hoursThrough = coverage.hoursThrough?.getTime();
    const hourTarget = floorHour(minutesThrough);
    let hours = 0;
    if (hoursThrough === undefined || hoursThrough < hourTarget) {
      const byHour = new Map<number, Tally>();
      for await (const minute of this.rollupsBetween('minute', hoursThrough, hourTarget)) {
        const hour = floorHour(minute.start.getTime());
        byHour.set(hour, (byHour.get(hour) ?? new Tally()).addBody(minute));
      }
      hours = await this.insertAll([...byHour].map(([start, tally]) => this.rollup('hour', start, tally)));
      await this.moveCoverage({ hoursThrough: new Date(hourTarget) });
    }
    return { minutes, hours };
  }

  /** The facts dated in [from, to), tallied per hour. */
  async tallies(from: Date, to: Date): Promise<Tallies> {
    const coverage = await this.coverage.findOne({ _id: 'facts' });
    const [start, end] = [from.getTime(), to.getTime()];
    const tallies = new Tallies();
    const addFacts = async (rows: AsyncIterable<CountedFactRow>) => {
      for await (const fact of rows) tallies.of(hourKey(fact.at)).add(fact);
    };
    const addRollups = async (kind: 'minute' | 'hour', a: number, b: number) => {
      if (a >= b) return;
      for await (const r of this.rollupsBetween(kind, a, b)) tallies.of(r.hour).addBody(r);
    };
    const factsBetween = (a: number, b: number) => (a < b ? addFacts(this.facts.between(a, b)) : undefined);

    // Whole minutes the rollups cover: [first, covered); the rest is read from the facts.
    const first = ceilMinute(start);
    const covered = Math.min(floorMinute(end), coverage?.minutesThrough?.getTime() ?? -Infinity);
    if (first >= covered) {
      await factsBetween(start, end);
      return tallies;
    }
    const hoursFrom = ceilHour(first);
    const hoursTo = Math.max(
      hoursFrom,
      Math.min(floorHour(covered), coverage?.hoursThrough?.getTime() ?? -Infinity),
    );
    await Promise.all([
      factsBetween(start, first),
      factsBetween(covered, end),
      addFacts(this.facts.lateBetween(first, covered)),
      addRollups('hour', hoursFrom, hoursTo),
      addRollups('minute', first, hoursFrom === hoursTo ? covered : hoursFrom),
      addRollups('minute', hoursFrom === hoursTo ? covered : hoursTo, covered),
    ]);
    return tallies;
  }

  /** Rolls up every `everyMs` until stopped (one roll at a time); a failed roll is logged and tried again. */
  keepRolling(everyMs: number, logger: Logger): { stop: () => Promise<void> } {
    let stopped = false;
    let running: Promise<void> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      running = this.roll()
        .then(
          () => undefined,
          (error: unknown) =>
            logger.warn({ err: error }, 'rolling up the analytics facts failed; trying again'),
        )
        .finally(() => {
          if (!stopped) timer = setTimeout(tick, everyMs).unref();
        });
    };
    tick();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        await running;
      },
    };
  }

  private rollup(kind: 'minute' | 'hour', start: number, tally: Tally): Rollup {
    return {
      _id: rollupId(kind, start),
      kind,
      start: new Date(start),
      hour: hourKey(start),
      ...tally.body(),
    };
  }

  private rollupsBetween(kind: 'minute' | 'hour', from: number | undefined, to: number) {
    const prefix = kind === 'minute' ? 'm:' : 'h:';
    const lower = from === undefined ? prefix : rollupId(kind, from);
    return this.rollups.find({ _id: { $gte: lower, $lt: rollupId(kind, to) } });
  }

  /** Inserts each rollup unless one with its `_id` exists (another replica's, identical); how many were new. */
  private async insertAll(rollups: Rollup[]): Promise<number> {
    if (rollups.length === 0) return 0;
    try {
      return (await this.rollups.insertMany(rollups, { ordered: false })).insertedCount;
    } catch (error) {
      const { writeErrors, insertedCount } = error as { writeErrors?: unknown; insertedCount?: number };
      const errors = [writeErrors ?? []].flat() as unknown[];
      if (errors.length === 0 || !errors.every(isDuplicateKey)) throw error;
      return insertedCount ?? rollups.length - errors.length;
    }
  }

  private async moveCoverage(to: Omit<Coverage, '_id'>): Promise<void> {
    try {
      await this.coverage.updateOne({ _id: 'facts' }, { $set: to }, { upsert: true });
    } catch (error) {
      // Two first rolls both inserting the document: the other one's is there now.
      if (!isDuplicateKey(error)) throw error;
      await this.coverage.updateOne({ _id: 'facts' }, { $set: to });
    }
  }
}
