import { describe, expect, it } from 'vitest';
import type { CanaryWrite } from './canary.ts';
import { canaryFigures } from './canary-figures.ts';

const meta = { datastore: 'redis', where: 'k' };

/** A write every 100 ms from t=0; `fail` lists the seqs that failed, `slow` those acked 2 s late. */
function log(count: number, fail: number[] = [], slow: number[] = []): CanaryWrite[] {
  return Array.from({ length: count }, (_, i) => {
    const seq = i + 1;
    const sentAt = i * 100;
    if (fail.includes(seq)) return { seq, sentAt, error: 'refused' };
    return { seq, sentAt, ackedAt: sentAt + (slow.includes(seq) ? 2000 : 5) };
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('canaryFigures', () => {
  it('when nothing failed after the fault, then the RTO is 0 and nothing is lost', () => {
    const writes = log(50);
    const f = canaryFigures(writes, range(1, 50), meta, { faultAt: 1000 });
    expect(f).toMatchObject({ written: 50, acked: 50, failed: 0, lost: [], rtoMs: 0, rpoMs: 0 });
    expect(f.outage).toBeUndefined();
  });

  it('when writes failed for a while, then the RTO runs from the fault to the first write of a healthy second', () => {
    // The fault at 1000 ms; seqs 11-30 (sent 1000-2900 ms) fail; 31 on are fine.
    const f = canaryFigures(log(60, range(11, 30)), range(1, 60), meta, { faultAt: 1000 });
    expect(f.outage).toEqual({ from: 1000, to: 3005 });
    expect(f.rtoMs).toBe(2005);
    expect(f.failed).toBe(20);
  });

  it('when a healthy run is shorter than the bound, then it does not count as the recovery', () => {
    // Fails 11-20, fine 21-25 (0.5 s), fails 26-30, fine from 31.
    const f = canaryFigures(log(60, [...range(11, 20), ...range(26, 30)]), range(1, 60), meta, {
      faultAt: 1000,
      healthyForMs: 1000,
    });
    expect(f.outage!.to).toBe(3005);
  });

  it('when writes are acknowledged but slower than the bound, then they count as the outage', () => {
    const f = canaryFigures(log(60, [], range(11, 20)), range(1, 60), meta, { faultAt: 1000, slowMs: 500 });
    expect(f.outage!.from).toBe(1000);
    expect(f.rtoMs).toBe(1005);
  });

  it('when acknowledged writes are missing from the store, then they are lost, and the RPO reaches back to the oldest', () => {
    const f = canaryFigures(log(30), [...range(1, 7), ...range(10, 30)], meta, { faultAt: 1500 });
    expect(f.lost).toEqual([8, 9]);
    expect(f.rpoMs).toBe(1500 - 705);
  });

  it('when the store holds a record twice or holds a write that failed, then it says so, and neither is a loss', () => {
    const f = canaryFigures(log(10, [5]), [...range(1, 10), 3], meta, { faultAt: 0 });
    expect(f.duplicated).toEqual([3]);
    expect(f.landedUnacked).toBe(1);
    expect(f.lost).toEqual([]);
  });

  it('when the writes never recover, then the RTO is undefined', () => {
    const f = canaryFigures(log(30, range(11, 30)), range(1, 10), meta, { faultAt: 1000 });
    expect(f.rtoMs).toBeUndefined();
    expect(f.outage).toEqual({ from: 1000, to: undefined });
  });
});
