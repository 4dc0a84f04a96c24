import { describe, expect, it } from 'vitest';
import { openProvider } from '../providers/registry.ts';
import { seedCatalogue } from '../seed/catalogue.ts';

// The suite's `test` stack is brought up by a fresh `stack:up` (the global setup, or `pnpm test`)
// before any test runs: what that first up did is still there to see.
describe('a first stack:up', () => {
  it('when it brought up an empty instance, then the shop already had the demo catalogue before any test ran', async () => {
    const { gateway } = (await openProvider('test')).endpoints().app;
    const first = seedCatalogue()[0]!;
    const found = (await (
      await fetch(`${gateway}/api/products?q=${encodeURIComponent(first.name)}`)
    ).json()) as {
      items: { id: string; sku: string }[];
    };
    const seeded = found.items.find((p) => p.sku === first.sku);
    expect(seeded, `${first.sku} (${first.name}) in the catalogue`).toBeDefined();
    const detail = (await (await fetch(`${gateway}/api/products/${seeded!.id}`)).json()) as {
      createdAt: string;
    };
    // Made by the up itself, not by a test that seeds (they run in this process, which started after it).
    expect(Date.parse(detail.createdAt)).toBeLessThan(performance.timeOrigin);
  });
});
