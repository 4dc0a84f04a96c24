import pc from 'picocolors';
import { parseStackCommand, INSTANCE_CHOICES } from '../cli/args.ts';
import { seconds, UsageError } from '@stackdrill/toolkit';
import type { DownEvent } from '../providers/provider.ts';
import { openProvider } from '../providers/registry.ts';

const USAGE = `pnpm stack:down [--instance ${INSTANCE_CHOICES}] [--purge | --keep]
  Stops every member (SIGTERM, SIGKILL after a bound) and checks none is left running.
  native: the data stays for the next \`stack:up\`; --purge also deletes it, with the configs and logs.
  containers: removes every container, network and volume of the instance (the data too);
    --keep    leaves the stopped containers, network and volumes: \`stack:up\` resumes the data,
              \`stack:up --reuse\` starts the same containers again`;

export async function down(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(argv, USAGE, {
    purge: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  });
  if (!parsed) return 0;
  const { values, instance } = parsed;
  if (values.purge && values.keep)
    throw new UsageError('--purge deletes the data and --keep keeps it: pass one of them');
  const t0 = Date.now();
  const provider = await openProvider(instance, parsed.provider);
  const { stopped, deleted } = await provider.down({ keep: values.keep, onEvent: printDownEvent });
  console.log(
    `stopped ${stopped} members of instance "${instance}" in ${seconds(Date.now() - t0)}; none left running`,
  );
  if (values.purge && !deleted) await provider.purge();
  if (values.purge || deleted) console.log(`deleted ${provider.home} and everything of the instance`);
  else if (values.keep)
    console.log(pc.dim(`kept the data: \`pnpm stack:up --instance ${instance}\` resumes it`));
  if (stopped === 0) console.log(pc.dim('(nothing was running)'));
  return 0;
}

/** One line per component as it stops, so a long stop shows where it is. */
function printDownEvent(event: DownEvent): void {
  if (event.type === 'stopping') console.log(pc.dim(`  ${event.component}: stopping...`));
  else if (event.type === 'stopped') console.log(`  ${event.component}: stopped in ${seconds(event.ms)}`);
  else console.log(pc.dim(`  deleting ${event.what}...`));
}
