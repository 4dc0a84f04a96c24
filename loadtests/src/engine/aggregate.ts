import * as hdr from 'hdr-histogram-js';
import { judge, type Verdict } from '../model/slo.ts';
import { levelAt, type Scenario } from '../model/profiles.ts';
import {
  SUMMARY_FORMAT,
  type LoadSummary,
  type MinutePoint,
  type SloCapacity,
  type TimelinePoint,
} from '../model/summary.ts';
import type { Tick } from './share.ts';
import { Tally, TallyMap } from './tally.ts';

/** One second of the whole run, once every share has handed it over. */
export interface Second {
  second: number;
  arrivals: number;
  dropped: number;
  inFlight: number;
  endpoints: TallyMap;
  journeys: TallyMap;
}

/**
 * Folds the shares' ticks into the run: a second is complete once every share has handed it over
 * (or has finished), then it is added to the run's tallies and its timeline point is made. Tallies
 * add histograms, so the figures are those of all requests, whatever the number of threads. Each
 * endpoint's seconds are also added up per minute (second s is in minute ⌊s / 60⌋): seconds come in
 * order, so only the current minute's tallies are kept, and each minute is encoded once it is over.
 */
export class RunAggregate {
  readonly endpoints = new TallyMap();
  readonly journeys = new TallyMap();
  readonly timeline: TimelinePoint[] = [];
  dropped = 0;
  /** Per endpoint, the minutes that are over. */
  private readonly pastMinutes = new Map<string, MinutePoint[]>();
  private minute = 0;
  /** Per endpoint, the current minute's tally. */
  private readonly minuteTallies = new TallyMap();
  private readonly pending = new Map<number, Second & { shares: number }>();
  private readonly nextSecond: number[];
  private readonly finished: boolean[];
  private completed = 0;

  constructor(
    private readonly shares: number,
    /** Sees each complete second; returns true to keep it (then it must destroy its tallies). */
    private readonly onSecond: (second: Second) => boolean | void = () => {},
  ) {
    this.nextSecond = Array.from({ length: shares }, () => 0);
    this.finished = Array.from({ length: shares }, () => false);
  }

  add(tick: Tick): void {
    let second = this.pending.get(tick.second);
    if (!second) {
      second = {
        second: tick.second,
        arrivals: 0,
        dropped: 0,
        inFlight: 0,
        endpoints: new TallyMap(),
        journeys: new TallyMap(),
        shares: 0,
      };
      this.pending.set(tick.second, second);
    }
    second.arrivals += tick.arrivals;
    second.dropped += tick.dropped;
    second.inFlight += tick.inFlight;
    second.endpoints.addAll(tick.endpoints);
    second.journeys.addAll(tick.journeys);
    second.shares++;
    this.nextSecond[tick.share] = tick.second + 1;
    if (tick.last) this.finished[tick.share] = true;
    this.flush();
  }

  /** Hands over every complete second, in order. */
  private flush(): void {
    for (;;) {
      const s = this.completed;
      const ready = this.nextSecond.every((next, share) => next > s || this.finished[share]);
      const second = this.pending.get(s);
      if (!ready || !second) return;
      this.pending.delete(s);
      this.completed++;
      this.fold(second);
    }
  }

  private fold(second: Second): void {
    const minute = Math.floor(second.second / 60);
    if (minute !== this.minute) {
      this.endMinute();
      this.minute = minute;
    }
    for (const [name, tally] of second.endpoints.byName) {
      this.endpoints.get(name).add(tally);
      this.minuteTallies.get(name).add(tally);
    }
    for (const [name, tally] of second.journeys.byName) this.journeys.get(name).add(tally);
    this.dropped += second.dropped;
    const all = new Tally();
    for (const tally of second.endpoints.byName.values()) all.add(tally);
    this.timeline.push({
      second: second.second,
      arrivals: second.arrivals,
      requests: all.requests,
      errors: all.errors,
      p50Ms: all.percentileMs(50),
      p95Ms: all.percentileMs(95),
      p99Ms: all.percentileMs(99),
      histogram: hdr.encodeIntoCompressedBase64(all.histogram),
    });
    all.destroy();
    if (this.onSecond(second) !== true) {
      second.endpoints.destroy();
      second.journeys.destroy();
    }
  }

  /** Encodes the current minute's tallies into the past minutes, and destroys them. */
  private endMinute(): void {
    for (const [name, point] of this.currentMinute()) {
      let points = this.pastMinutes.get(name);
      if (!points) this.pastMinutes.set(name, (points = []));
      points.push(point);
    }
    this.minuteTallies.destroy();
  }

  private currentMinute(): [string, MinutePoint][] {
    return [...this.minuteTallies.byName]
      .filter(([, tally]) => tally.requests > 0)
      .map(([name, tally]) => [
        name,
        {
          minute: this.minute,
          requests: tally.requests,
          p95Ms: tally.percentileMs(95),
          histogram: hdr.encodeIntoCompressedBase64(tally.histogram),
        },
      ]);
  }

  /** Per endpoint, minute by minute so far, the current minute included (minutes without requests left out). */
  minutes(): Record<string, MinutePoint[]> {
    const minutes: Record<string, MinutePoint[]> = {};
    for (const [name, points] of this.pastMinutes) minutes[name] = [...points];
    for (const [name, point] of this.currentMinute()) (minutes[name] ??= []).push(point);
    return minutes;
  }

  verdicts(): Verdict[] {
    return judge({ endpoints: this.endpoints.measured(), journeys: this.journeys.measured() });
  }

  /** The run's summary, judged. */
  summary(run: {
    engine: LoadSummary['engine'];
    profile: string;
    target: string;
    startedAtMs: number;
    durationS: number;
    interrupted?: boolean;
    capacity?: SloCapacity | undefined;
  }): LoadSummary {
    const verdicts = this.verdicts();
    return {
      format: SUMMARY_FORMAT,
      engine: run.engine,
      profile: run.profile,
      target: run.target,
      startedAt: new Date(run.startedAtMs).toISOString(),
      durationS: run.durationS,
      endpoints: this.endpoints.figures(),
      journeys: this.journeys.figures(),
      verdicts,
      passed: verdicts.every((v) => v.passed),
      timeline: this.timeline,
      minutes: this.minutes(),
      droppedIterations: this.dropped,
      ...(run.interrupted !== undefined ? { interrupted: run.interrupted } : {}),
      ...(run.capacity ? { capacity: run.capacity } : {}),
    };
  }

  destroy(): void {
    this.endpoints.destroy();
    this.journeys.destroy();
    this.minuteTallies.destroy();
    for (const second of this.pending.values()) {
      second.endpoints.destroy();
      second.journeys.destroy();
    }
  }
}

/**
 * The breakpoint's judge: the SLOs over a sliding window of the last `seconds`, where only subjects
 * with at least `minRequests` in the window are judged (a rare endpoint's two requests are no
 * percentile). The window that breaks one ends the search; the one before it is the capacity.
 */
export class SlidingWindow {
  private readonly seconds: Second[] = [];

  constructor(
    readonly length: number,
    private readonly minRequests: number,
  ) {}

  /** Adds a second (the window keeps it until it slides out; the caller must not destroy it). */
  push(second: Second): void {
    this.seconds.push(second);
    while (this.seconds.length > this.length) {
      const old = this.seconds.shift()!;
      old.endpoints.destroy();
      old.journeys.destroy();
    }
  }

  get full(): boolean {
    return this.seconds.length === this.length;
  }

  judge(): { verdicts: Verdict[]; requestsPerS: number } {
    const endpoints = new TallyMap();
    const journeys = new TallyMap();
    for (const second of this.seconds) {
      for (const [name, tally] of second.endpoints.byName) endpoints.get(name).add(tally);
      for (const [name, tally] of second.journeys.byName) journeys.get(name).add(tally);
    }
    const enough = (measured: ReturnType<TallyMap['measured']>) =>
      Object.fromEntries(Object.entries(measured).filter(([, m]) => m.requests >= this.minRequests));
    const verdicts = judge({
      endpoints: enough(endpoints.measured()),
      journeys: enough(journeys.measured()),
    });
    let requests = 0;
    for (const tally of endpoints.byName.values()) requests += tally.requests;
    endpoints.destroy();
    journeys.destroy();
    return { verdicts, requestsPerS: requests / Math.max(1, this.seconds.length) };
  }

  destroy(): void {
    for (const second of this.seconds) {
      second.endpoints.destroy();
      second.journeys.destroy();
    }
    this.seconds.length = 0;
  }
}

/**
 * The breakpoint search over a run's seconds: the SLOs judged over a sliding window each second;
 * the arrival rate (as the scenario schedules it) at the end of the last window that held is the
 * SLO capacity, and the first window that breaks ends the search.
 */
export class CapacitySearch {
  private readonly window: SlidingWindow;
  private held?: Omit<SloCapacity, 'brokenAt'>;
  private brokenAt?: SloCapacity['brokenAt'];

  constructor(
    private readonly scenario: Scenario,
    windowS = 15,
    minRequests = 10,
  ) {
    this.window = new SlidingWindow(windowS, minRequests);
  }

  get broken(): boolean {
    return this.brokenAt !== undefined;
  }

  /** Takes a complete second (and keeps it: returns true) until an SLO has broken. */
  observe(second: Second): boolean {
    if (this.broken) return false;
    this.window.push(second);
    if (!this.window.full) return true;
    const arrivalRate = levelAt(this.scenario, second.second + 1);
    const { verdicts, requestsPerS } = this.window.judge();
    const broken = verdicts.filter((v) => !v.passed);
    if (broken.length === 0) this.held = { iterationsPerS: arrivalRate, requestsPerS };
    else
      this.brokenAt = {
        iterationsPerS: arrivalRate,
        broken: broken.flatMap((v) => v.broken.map((b) => `${v.subject}: ${b}`)),
      };
    return true;
  }

  /** What was found: the last rate that held (0 when none did), and where it broke, if it did. */
  capacity(): SloCapacity {
    return {
      ...(this.held ?? { iterationsPerS: 0, requestsPerS: 0 }),
      ...(this.brokenAt ? { brokenAt: this.brokenAt } : {}),
    };
  }

  destroy(): void {
    this.window.destroy();
  }
}
