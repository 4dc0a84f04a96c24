import pc from 'picocolors';
import { parseStackCommand, INSTANCE_CHOICES } from '../cli/args.ts';
import { seconds } from '@stackdrill/toolkit';
import { openProvider } from '../providers/registry.ts';

const USAGE = `pnpm stack:down [--instance ${INSTANCE_CHOICES}] [--purge]
  Stops every member (SIGTERM, SIGKILL after a bound) and checks no process is left.
  --purge   also delete the instance's data, configs and logs`;

export async function down(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(argv, USAGE, { purge: { type: 'boolean', default: false } });
  if (!parsed) return 0;
  const { values, instance } = parsed;
  const t0 = Date.now();
  const provider = await openProvider(instance, parsed.provider);
  const { stopped } = await provider.down();
  console.log(
    `stopped ${stopped} processes of instance "${instance}" in ${seconds(Date.now() - t0)}; none left running`,
  );
  if (values.purge) {
    await provider.purge();
    console.log(`deleted ${provider.home}`);
  }
  if (stopped === 0) console.log(pc.dim('(nothing was running)'));
  return 0;
}
