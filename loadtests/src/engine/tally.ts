import * as hdr from 'hdr-histogram-js';
import type { SubjectFigures } from '../model/summary.ts';
import { latencyHistogram } from './open-loop.ts';

/** A tally as it crosses threads and lands in summaries: counts and an encoded histogram. */
export interface WireTally {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  /** µs, compressed base64 (hdr-histogram-js). */
  histogram: string;
}

/**
 * What one subject (an endpoint, a journey, or a second of the run) measured: latencies in an HDR
 * histogram (µs), requests, errors, answers by status. Tallies add up exactly, whichever thread or
 * runner made them, which averaged percentiles would not.
 */
export class Tally {
  readonly histogram = latencyHistogram();
  requests = 0;
  errors = 0;
  statuses: Record<string, number> = {};

  /** `status` 0: no answer (transport error or timeout). */
  record(latencyMs: number, status: number, ok: boolean): void {
    this.histogram.recordValue(Math.max(1, Math.round(latencyMs * 1000)));
    this.requests++;
    if (!ok) this.errors++;
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }

  add(other: Tally | WireTally): void {
    if (other instanceof Tally) this.histogram.add(other.histogram);
    else {
      const decoded = hdr.decodeFromCompressedBase64(other.histogram);
      this.histogram.add(decoded);
      decoded.destroy();
    }
    this.requests += other.requests;
    this.errors += other.errors;
    for (const [status, count] of Object.entries(other.statuses))
      this.statuses[status] = (this.statuses[status] ?? 0) + count;
  }

  percentileMs(p: number): number {
    return this.requests ? this.histogram.getValueAtPercentile(p) / 1000 : 0;
  }

  toWire(): WireTally {
    return {
      requests: this.requests,
      errors: this.errors,
      statuses: { ...this.statuses },
      histogram: hdr.encodeIntoCompressedBase64(this.histogram),
    };
  }

  figures(): SubjectFigures {
    return {
      requests: this.requests,
      errors: this.errors,
      p50Ms: this.percentileMs(50),
      p95Ms: this.percentileMs(95),
      p99Ms: this.percentileMs(99),
      maxMs: this.histogram.maxValue / 1000,
      histogram: hdr.encodeIntoCompressedBase64(this.histogram),
      statuses: { ...this.statuses },
    };
  }

  destroy(): void {
    this.histogram.destroy();
  }
}

/** Tallies by name (endpoints, journeys), created on first use. */
export class TallyMap {
  readonly byName = new Map<string, Tally>();

  get(name: string): Tally {
    let tally = this.byName.get(name);
    if (!tally) this.byName.set(name, (tally = new Tally()));
    return tally;
  }

  addAll(tallies: Record<string, WireTally | Tally>): void {
    for (const [name, tally] of Object.entries(tallies)) this.get(name).add(tally);
  }

  toWire(): Record<string, WireTally> {
    return Object.fromEntries([...this.byName].map(([name, t]) => [name, t.toWire()]));
  }

  figures(): Record<string, SubjectFigures> {
    return Object.fromEntries([...this.byName].map(([name, t]) => [name, t.figures()]));
  }

  /** Counts and percentiles only: cheap enough to judge every second. */
  measured(): Record<string, { requests: number; errors: number; p95Ms: number; p99Ms: number }> {
    return Object.fromEntries(
      [...this.byName].map(([name, t]) => [
        name,
        { requests: t.requests, errors: t.errors, p95Ms: t.percentileMs(95), p99Ms: t.percentileMs(99) },
      ]),
    );
  }

  get size(): number {
    return this.byName.size;
  }

  destroy(): void {
    for (const t of this.byName.values()) t.destroy();
    this.byName.clear();
  }
}
