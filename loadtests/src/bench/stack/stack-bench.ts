import Table from 'cli-table3';
import pc from 'picocolors';
import { CONTAINERS_TARGETS, down, openProvider, runDoctor, STACK_TARGETS, up } from '@stackdrill/stack';
import { parseCli, seconds, StackError, UsageError } from '@stackdrill/toolkit';
import { median } from './stats.ts';

const USAGE = `pnpm bench:stack [--runs N] [--provider native|containers]
  Times the stack:up and stack:down commands on the \`bench\` instance (its own ports and data),
  run in this process (a shell adds Node's own start, about a second): cold stack:up of the data
  tier (no data), stack:down, warm stack:up (existing data), the data tier's resident memory, and,
  for reference, a cold stack:up of the whole system (data tier + app).
  --provider containers: the whole system on the containers provider (its images built first with
  \`pnpm images:build\`): stack:up to all-ready and the stack's memory, beside the native
  provider's, measured in the same run.`;

const COMMANDS = { 'stack-up': up, 'stack-down': down };

/** Runs one stack command as the CLI does (its output included) and returns its wall time in ms. */
async function timed(command: keyof typeof COMMANDS, ...args: string[]): Promise<number> {
  const t0 = performance.now();
  const code = await COMMANDS[command](['--instance', 'bench', ...args]);
  const ms = performance.now() - t0;
  if (code !== 0) {
    throw new StackError({ component: 'bench', message: `\`${command} ${args.join(' ')}\` exited ${code}` });
  }
  return ms;
}

export async function benchStack(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, {
    runs: { type: 'string', default: '1' },
    provider: { type: 'string', default: 'native' },
    help: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 10)
    throw new UsageError(`--runs takes 1 to 10, got "${values.runs}"`);

  if (values.provider === 'containers') return benchContainers(runs);
  if (values.provider !== 'native')
    throw new UsageError(`--provider takes native or containers, got "${values.provider}"`);

  await runDoctor(); // installs are not part of the figures
  await timed('stack-down', '--purge');
  const figures = {
    cold: [] as number[],
    warm: [] as number[],
    down: [] as number[],
    rss: [] as number[],
    left: [] as number[],
    full: [] as number[],
  };
  for (let run = 1; run <= runs; run++) {
    const say = (what: string) => console.log(`run ${run}/${runs}: ${what}`);
    say('cold stack:up of the data tier (no data)...');
    figures.cold.push(await timed('stack-up', '--data-only'));
    const provider = await openProvider('bench');
    figures.rss.push((await provider.residentBytes()) / 2 ** 20);
    say('stack:down...');
    figures.down.push(await timed('stack-down'));
    // This handle was opened before the stop: it still knows the processes, and checks each one.
    figures.left.push((await provider.localProcesses()).length);
    say('warm stack:up (existing data)...');
    figures.warm.push(await timed('stack-up', '--data-only'));
    figures.down.push(await timed('stack-down', '--purge'));
    say('cold stack:up of the whole system (data tier + app), for reference...');
    figures.full.push(await timed('stack-up', '--no-seed'));
    await timed('stack-down', '--purge');
  }

  const table = new Table({
    head: ['figure', 'median', 'min', 'max', 'target', ''].map((h) => pc.bold(h)),
    style: { head: [] },
  });
  const row = (
    name: string,
    xs: number[],
    fmt: (x: number) => string,
    target: number,
    targetText: string,
  ) => {
    const ok = median(xs) <= target;
    table.push([
      name,
      fmt(median(xs)),
      fmt(Math.min(...xs)),
      fmt(Math.max(...xs)),
      targetText,
      ok ? pc.green('met') : pc.red('MISSED'),
    ]);
    return ok;
  };
  const ms = (x: number) => seconds(x);
  const mib = (x: number) => `${x.toFixed(0)} MiB`;
  const ok = [
    row(
      'cold stack:up to all-ready',
      figures.cold,
      ms,
      STACK_TARGETS.coldUpSeconds * 1000,
      `≤ ${STACK_TARGETS.coldUpSeconds} s`,
    ),
    row(
      'warm stack:up (existing data)',
      figures.warm,
      ms,
      STACK_TARGETS.warmUpSeconds * 1000,
      `≤ ${STACK_TARGETS.warmUpSeconds} s`,
    ),
    row('stack:down', figures.down, ms, STACK_TARGETS.downSeconds * 1000, `≤ ${STACK_TARGETS.downSeconds} s`),
    row(
      'data tier resident memory',
      figures.rss,
      mib,
      STACK_TARGETS.dataTierRssMiB,
      `≤ ${STACK_TARGETS.dataTierRssMiB} MiB`,
    ),
    row('processes left after down', figures.left, String, 0, '0'),
  ];
  table.push([
    'cold stack:up, whole system',
    ms(median(figures.full)),
    ms(Math.min(...figures.full)),
    ms(Math.max(...figures.full)),
    '(reference)',
    '',
  ]);
  console.log(table.toString());
  console.log(
    `${runs} run(s) on ${process.platform}, ${(await import('node:os')).cpus().length} cores, Node ${process.version}; whole CLI commands timed (tsx start-up included)`,
  );
  return ok.every(Boolean) ? 0 : 1;
}

/**
 * The whole system on the containers provider against the native one, in the same run: cold
 * stack:up to all-ready (target: CONTAINERS_TARGETS.upSeconds) and the stack's memory (the native
 * members' resident memory; the containers' memory as their cgroups count it, without file cache).
 */
async function benchContainers(runs: number): Promise<number> {
  await runDoctor({ containers: true }); // installs are not part of the figures
  const figures = {
    containers: [] as number[],
    native: [] as number[],
    cMiB: [] as number[],
    nMiB: [] as number[],
  };
  const left: string[] = [];
  for (const provider of ['native', 'containers'])
    await timed('stack-down', '--provider', provider, '--purge');
  for (let run = 1; run <= runs; run++) {
    const say = (what: string) => console.log(`run ${run}/${runs}: ${what}`);
    for (const name of ['native', 'containers'] as const) {
      say(`cold stack:up of the whole system on ${name}...`);
      figures[name].push(await timed('stack-up', '--provider', name, '--no-seed'));
      const provider = await openProvider('bench', name);
      (name === 'native' ? figures.nMiB : figures.cMiB).push((await provider.residentBytes()) / 2 ** 20);
      await timed('stack-down', '--provider', name, '--purge');
      left.push(...(await provider.leftovers()));
    }
  }
  const table = new Table({
    head: ['figure', 'containers', 'native', 'ratio', 'target', ''].map((h) => pc.bold(h)),
    style: { head: [] },
  });
  const up = median(figures.containers);
  const met = up <= CONTAINERS_TARGETS.upSeconds * 1000;
  table.push([
    'cold stack:up, whole system, to all-ready',
    seconds(up),
    seconds(median(figures.native)),
    `${(up / median(figures.native)).toFixed(2)}x`,
    `≤ ${CONTAINERS_TARGETS.upSeconds} s`,
    met ? pc.green('met') : pc.red('MISSED'),
  ]);
  table.push([
    'memory of the whole stack',
    `${median(figures.cMiB).toFixed(0)} MiB`,
    `${median(figures.nMiB).toFixed(0)} MiB`,
    `${(median(figures.cMiB) / median(figures.nMiB)).toFixed(2)}x`,
    '(printed beside native)',
    '',
  ]);
  table.push([
    'left after down --purge',
    String(left.length),
    '',
    '',
    '0',
    left.length ? pc.red('MISSED') : pc.green('met'),
  ]);
  console.log(table.toString());
  if (left.length) console.log(`left: ${left.join(', ')}`);
  console.log(
    `${runs} run(s) on ${process.platform}, ${(await import('node:os')).cpus().length} cores, Node ${process.version}; whole CLI commands timed, medians`,
  );
  return met && left.length === 0 ? 0 : 1;
}
