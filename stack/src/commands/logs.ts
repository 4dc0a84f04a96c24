import { access } from 'node:fs/promises';
import { tailFile, TOOLS, UsageError } from '@stackdrill/toolkit';
import { parseStackCommand, INSTANCE_CHOICES } from '../cli/args.ts';
import { openProvider } from '../providers/registry.ts';

const USAGE = `pnpm stack:logs <component|member> [--follow] [--lines N] [--instance ${INSTANCE_CHOICES}]
  Components: mongo, redis, kafka. Members: e.g. redis-0, sentinel-1, kafka-2.`;

export async function logs(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(
    argv,
    USAGE,
    { follow: { type: 'boolean', short: 'f', default: false }, lines: { type: 'string', default: '40' } },
    true,
  );
  if (!parsed) return 0;
  const { values, positionals, instance } = parsed;
  const provider = await openProvider(instance, parsed.provider);
  const target = positionals[0];
  const lines = Number(values.lines);
  if (!Number.isInteger(lines) || lines < 0)
    throw new UsageError(`--lines takes a whole number, got "${values.lines}"`);
  const members = provider
    .handles()
    .flatMap((c) => c.memberNames().map((m) => ({ component: c.name, member: m })));
  const chosen = members.filter((m) => m.component === target || m.member === target);
  if (!target || chosen.length === 0) {
    throw new UsageError(
      `${target ? `no component or member "${target}"` : 'name a component or member'}. ` +
        `Components: ${provider
          .handles()
          .map((c) => c.name)
          .join(', ')}; members: ${members.map((m) => m.member).join(', ')}`,
    );
  }
  const files = [];
  let printed = 0;
  for (const { member } of chosen) {
    const file = provider.logFile(member);
    if (file === undefined && provider.logTail) {
      // Kept by the container engine: printed from there (following is the engine's own command).
      const tail = await provider
        .logTail(member, lines)
        .catch((e: Error) => ({ text: `(${e.message})`, follow: '' }));
      console.log(`==> ${member} (container log) <==`);
      console.log(tail.text);
      if (values.follow && tail.follow) console.error(`(to follow it: ${tail.follow})`);
      printed += 1;
    } else if (file === undefined) console.error(`(${member} keeps no log file on this machine)`);
    else if (
      await access(file).then(
        () => true,
        () => false,
      )
    )
      files.push(file);
    else console.error(`(${member} has no log yet: ${file})`);
  }
  if (files.length === 0) return printed > 0 ? 0 : 1;
  if (values.follow) {
    // tail -F follows across restarts; it runs until Ctrl-C, which ends it with us.
    return TOOLS.attached('tail', ['-n', String(lines), '-F', ...files]);
  }
  for (const file of files) {
    console.log(`==> ${file} <==`);
    console.log(await tailFile(file, lines));
  }
  return 0;
}
