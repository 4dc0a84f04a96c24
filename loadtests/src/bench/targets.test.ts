import { describe, expect, it } from 'vitest';
import { judgeTargets, type EngineBenchFigures } from './targets.ts';

const figures = (f: Partial<EngineBenchFigures>): EngineBenchFigures => ({
  engineCapacity: 8000,
  wrkCapacity: 10_000,
  accuracyAchieved: 2000,
  engineP50Ms: 0.5,
  heyP50Ms: 0.5,
  ...f,
});
const met = (f: Partial<EngineBenchFigures>) =>
  Object.fromEntries(judgeTargets(figures(f)).map((v) => [v.figure, v.met]));

describe('judgeTargets', () => {
  it('when every figure is on its bound, then every target is met', () => {
    expect(met({ accuracyAchieved: 1980, engineP50Ms: 0.6 })).toEqual({
      capacity: true,
      accuracy: true,
      agreement: true,
    });
  });

  it('when a figure is past its bound, then that target is missed', () => {
    expect(met({ engineCapacity: 7999 }).capacity).toBe(false);
    expect(met({ accuracyAchieved: 2021 }).accuracy).toBe(false);
    expect(met({ engineP50Ms: 0.39 }).agreement).toBe(false);
  });

  it('when the engine held no rate or hey measured nothing, then those targets are missed', () => {
    expect(met({ engineCapacity: undefined }).capacity).toBe(false);
    expect(met({ heyP50Ms: NaN }).agreement).toBe(false);
  });
});
