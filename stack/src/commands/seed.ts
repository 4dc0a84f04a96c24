import pc from 'picocolors';
import { parseStackCommand, INSTANCE_CHOICES } from '../cli/args.ts';
import { seconds } from '@stackdrill/toolkit';
import type { Provider } from '../providers/provider.ts';
import { openProvider } from '../providers/registry.ts';
import { SEED_ACCOUNTS } from '../seed/catalogue.ts';
import { seedStack } from '../seed/seed.ts';

const USAGE = `pnpm stack:seed [--instance ${INSTANCE_CHOICES}]
  Loads the demo catalogue (384 products in 8 categories), an admin and demo customers through the
  running stack's API. Safe to run again: what exists is kept.`;

export async function seed(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(argv, USAGE, {});
  if (!parsed) return 0;
  const provider = await openProvider(parsed.instance, parsed.provider);
  await seedAndPrint(provider);
  return 0;
}

/** Seeds the instance, printing progress, what was made and the demo accounts. */
export async function seedAndPrint(provider: Provider): Promise<void> {
  const t0 = Date.now();
  const result = await seedStack(provider, (message) => console.log(`  ${message}`));
  console.log(
    `seeded in ${seconds(Date.now() - t0)}: ${result.productsCreated} products created (${result.productsExisting} already there), ${result.customersCreated} new customers`,
  );
  console.log(pc.bold('local-only accounts:'));
  console.log(`  admin:    ${SEED_ACCOUNTS.admin.email} / ${SEED_ACCOUNTS.admin.password}`);
  for (const c of SEED_ACCOUNTS.customers) console.log(`  customer: ${c.email} / ${c.password}`);
}
