import { describe, expect, it } from 'vitest';
import { combineCpu, cpuSummary } from './cpu-accounting.ts';

describe('combineCpu', () => {
  it('when rounds served different request counts, then each weighs by its requests', () => {
    const combined = combineCpu([
      { cpu: { perRequestMs: { gateway: 1, product: 0.5 } }, requests: 100 },
      { cpu: { perRequestMs: { gateway: 0.4, product: 0.5 } }, requests: 300 },
    ]);
    expect(combined.perRequestMs.gateway).toBeCloseTo(0.55);
    expect(combined.perRequestMs.product).toBeCloseTo(0.5);
  });

  it('when a process shows up in one round only, then the others count as zero for it', () => {
    const combined = combineCpu([
      { cpu: { perRequestMs: { kafka: 2 } }, requests: 10 },
      { cpu: { perRequestMs: {} }, requests: 10 },
    ]);
    expect(combined.perRequestMs.kafka).toBe(1);
  });
});

describe('cpuSummary', () => {
  it('when processes are not named, then they add up as the rest of the stack', () => {
    const summary = cpuSummary({ perRequestMs: { gateway: 1, redis: 0.1, kafka: 0.2 } }, ['gateway']);
    expect(summary.gateway).toBe(1);
    expect(summary['rest of the stack']).toBeCloseTo(0.3);
  });
});
