// Which journey an iteration runs. Runtime-neutral (k6 imports it): the Node engine rolls per
// arrival from its seed, so a seeded run makes the same choices however the answers interleave.
import type { Profile } from './profiles.ts';

/** The journey of the mix that a roll, uniform in [0, 1), lands on (each in proportion to its weight). */
export function journeyOf(mix: Profile['mix'], roll: number): string {
  const weights = Object.entries(mix) as [string, number][];
  let left = roll * weights.reduce((sum, [, w]) => sum + w, 0);
  for (const [name, weight] of weights) if ((left -= weight) < 0) return name;
  return weights[0]![0];
}

/** A small seeded generator (mulberry32): the same seed makes the same numbers. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Iteration `n`'s roll under `seed`: its own, whatever else drew from the generator before it. */
export const rollOf = (seed: number, n: number): number => seeded(seed + Math.imul(n, 0x9e3779b9))();
