import { describe, expect, it } from 'vitest';
import { parseCpuList, pinnedCommand, planCpus } from './pinning.ts';

describe('parseCpuList', () => {
  it('reads ranges and single CPUs', () => {
    expect(parseCpuList('0-3,6,8-9\n')).toEqual([0, 1, 2, 3, 6, 8, 9]);
  });
  it('refuses what is not a CPU list', () => {
    expect(() => parseCpuList('a-b')).toThrow(/not a CPU list/);
  });
});

describe('planCpus', () => {
  it('when there are two cores or more, then the server gets the first and the generators the rest', () => {
    const plan = planCpus([2, 3, 5], true);
    expect(plan).toMatchObject({ pinned: true, server: '2', generators: '3,5', generatorCores: 2 });
    expect(pinnedCommand(plan, 'generator', 'wrk', ['-t2'])).toEqual([
      'taskset',
      ['-c', '3,5', 'wrk', '-t2'],
    ]);
    expect(pinnedCommand(plan, 'server', 'node', ['s.mjs'])).toEqual([
      'taskset',
      ['-c', '2', 'node', 's.mjs'],
    ]);
  });

  it('when there is one core or no taskset, then nothing is pinned and it says why', () => {
    expect(planCpus([0], true)).toMatchObject({ pinned: false, generatorCores: 1 });
    expect(planCpus([0, 1], false).describe).toMatch(/no taskset/);
    expect(pinnedCommand(planCpus([0], true), 'server', 'node', ['s.mjs'])).toEqual(['node', ['s.mjs']]);
  });
});
