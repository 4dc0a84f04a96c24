import { describe, expect, it } from 'vitest';
import { serverLoad } from './generators.ts';

describe('serverLoad', () => {
  it('gives the server CPU per request and as a share of one core', () => {
    expect(serverLoad(600, 20_000, 2)).toEqual({ cpuMsPerRequest: 0.03, cpuShare: 0.3 });
  });

  it('does not divide by zero for a run that answered nothing', () => {
    expect(serverLoad(50, 0, 0.1)).toEqual({ cpuMsPerRequest: 50, cpuShare: 0.5 });
  });
});
