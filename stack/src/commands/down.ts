import pc from 'picocolors';
import { parseStackCommand } from '../cli/args.ts';
import { seconds } from '../cli/format.ts';
import { StackError } from '../errors.ts';
import { NativeProvider } from '../providers/native/native-provider.ts';

const USAGE = `pnpm stack:down [--instance dev|test|bench] [--purge]
  Stops every member (SIGTERM, SIGKILL after a bound) and checks no process is left.
  --purge   also delete the instance's data, configs and logs`;

export async function down(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(argv, USAGE, { purge: { type: 'boolean', default: false } });
  if (!parsed) return 0;
  const { values, instance } = parsed;
  const t0 = Date.now();
  const provider = await NativeProvider.open(instance);
  const before = provider.supervisor.records();
  await provider.down();
  const survivors = [];
  for (const record of before) if (await provider.supervisor.isRunning(record)) survivors.push(record);
  if (survivors.length > 0) {
    throw new StackError({
      component: 'stack',
      message: `still running after stop: ${survivors.map((r) => `${r.member} (pid ${r.pid})`).join(', ')}`,
      hint: 'kill them by PID and run `pnpm stack:down` again',
    });
  }
  console.log(
    `stopped ${before.length} processes of instance "${instance}" in ${seconds(Date.now() - t0)}; none left running`,
  );
  if (values.purge) {
    await provider.purge();
    console.log(`deleted ${provider.paths.root}`);
  }
  if (before.length === 0) console.log(pc.dim('(nothing was running)'));
  return 0;
}
