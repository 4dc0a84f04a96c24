import { describe, expect, it } from 'vitest';
import type { LoadSummary } from '../model/summary.ts';
import { cpuPerJourney, journeysOf } from './local-cpu.ts';

const journey = (requests: number) => ({ requests, errors: 0, p50Ms: 1, p95Ms: 2, p99Ms: 3, maxMs: 4 });

describe('CPU per journey', () => {
  it("when a run's journeys made several requests each, then it counts iterations, not requests", () => {
    const summary = {
      journeys: { browse: journey(90), 'checkout-and-pay': journey(50) },
      timeline: [{ arrivals: 12 }, { arrivals: 28 }],
    } as unknown as LoadSummary;
    expect(journeysOf(summary)).toBe(40);
  });

  it("when processes spent CPU, then each one's time is divided by the journeys", () => {
    expect(cpuPerJourney({ instance: 'bench', spentMs: { gateway: 400, 'mongo-0': 1000 } }, 40)).toEqual({
      instance: 'bench',
      journeys: 40,
      perJourneyMs: { gateway: 10, 'mongo-0': 25 },
    });
  });

  it('when no journey completed, then the figures are the time spent, not infinities', () => {
    expect(cpuPerJourney({ instance: 'dev', spentMs: { gateway: 5 } }, 0).perJourneyMs.gateway).toBe(5);
  });
});
