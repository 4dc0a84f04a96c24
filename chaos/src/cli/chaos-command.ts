import { durationSeconds } from '@stackdrill/loadtests';
import { openProvider, parseStackCommand, type Provider } from '@stackdrill/stack';
import { seconds, UsageError } from '@stackdrill/toolkit';
import pc from 'picocolors';
import { FAULTS } from '../faults/catalogue.ts';
import { revertLeftovers, runFault, type FaultEvent, type FaultRun } from '../run-fault.ts';
import { SELECTOR_HELP } from '../targets.ts';

const USAGE = `pnpm chaos <fault> --target SELECTOR [--duration 30s] [--set key=value ...] [--instance NAME]
pnpm chaos list          the faults, their layers and parameters
pnpm chaos revert        undo every fault still recorded as in place on the instance (a run that was killed)

  Puts the fault on every member the target names, holds it for --duration (default 30s), then
  reverts it, also on Ctrl-C or SIGTERM; a run killed outright is reverted by the next run or by
  \`pnpm chaos revert\`. Then waits for the touched components to be healthy and prints how long
  that took, or what is still broken and how to mend it. Exit 0 when healthy again, 1 when not,
  130 when interrupted (after the revert).
  ${SELECTOR_HELP}`;

export async function chaos(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(
    argv,
    USAGE,
    {
      target: { type: 'string' },
      duration: { type: 'string', default: '30s' },
      set: { type: 'string', multiple: true, default: [] },
    },
    true,
  );
  if (!parsed) return 0;
  const [command, ...extra] = parsed.positionals;
  if (!command) throw new UsageError(`name a fault, \`list\` or \`revert\`.\n${USAGE}`);
  if (extra.length) throw new UsageError(`one fault at a time; unexpected: ${extra.join(' ')}`);
  if (command === 'list') {
    printList();
    return 0;
  }
  const provider = await openProvider(parsed.instance, parsed.provider);
  if (command === 'revert') return revertCommand(provider);

  const { target, duration, set } = parsed.values as { target?: string; duration: string; set: string[] };
  if (!target) throw new UsageError(`--target is required. ${SELECTOR_HELP}`);
  let durationS: number;
  try {
    durationS = durationSeconds(duration);
  } catch (error) {
    throw new UsageError(`--duration: ${(error as Error).message}`);
  }
  const abort = new AbortController();
  const interrupt = (signal: string) => () => {
    console.log(pc.yellow(`\n${signal}: reverting the fault...`));
    abort.abort();
  };
  const onInt = interrupt('interrupted');
  const onTerm = interrupt('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const t0 = Date.now();
  try {
    const run = await runFault(
      provider,
      { fault: command, target, durationS, params: parseSets(set) },
      { signal: abort.signal, onEvent: printer(t0) },
    );
    return report(run, provider);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/** `--set key=value` pairs as parameters: numbers and booleans as such, the rest as text. */
export function parseSets(sets: string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of sets) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--set takes key=value, got "${pair}"`);
    const raw = pair.slice(at + 1);
    params[pair.slice(0, at)] =
      raw === 'true'
        ? true
        : raw === 'false'
          ? false
          : raw !== '' && Number.isFinite(Number(raw))
            ? Number(raw)
            : raw;
  }
  return params;
}

async function revertCommand(provider: Provider): Promise<number> {
  const t0 = Date.now();
  const failed = await revertLeftovers(provider, { all: true, onEvent: printer(t0) });
  if (failed.length === 0) {
    console.log(`no fault is in place on the ${provider.instance} instance`);
    return 0;
  }
  console.log(
    pc.red(`${failed.length} fault(s) could not be reverted; `) +
      `bring the instance back with \`pnpm stack:up --instance ${provider.instance}\` (it starts whatever is down), then run \`pnpm chaos revert\` again`,
  );
  return 1;
}

function printer(t0: number): (event: FaultEvent) => void {
  let lastHold = -1;
  const at = () => pc.dim(seconds(Date.now() - t0).padStart(7));
  return (event) => {
    switch (event.type) {
      case 'leftover-reverted':
        console.log(
          `${at()}  reverted a leftover: ${event.entry.fault} on ${event.entry.member} (from ${event.entry.injectedAt})`,
        );
        break;
      case 'leftover-failed':
        console.log(
          `${at()}  ${pc.red('could not revert')} ${event.entry.fault} on ${event.entry.member}: ${event.error}`,
        );
        break;
      case 'injected':
        console.log(`${at()}  ${pc.bold(event.fault)} on ${event.member}: in place`);
        break;
      case 'holding':
        // Every 5 s is enough to see it is alive without flooding a long hold.
        if (lastHold === -1 || lastHold - event.remainingS >= 5) {
          lastHold = event.remainingS;
          console.log(`${at()}  holding, ${event.remainingS} s left`);
        }
        break;
      case 'reverted':
        console.log(`${at()}  ${event.fault} on ${event.member}: reverted`);
        break;
      case 'revert-failed':
        console.log(`${at()}  ${pc.red(`${event.fault} on ${event.member}: revert failed`)}: ${event.error}`);
        break;
      case 'recovered':
        console.log(
          `${at()}  ${pc.green(`${event.components.join(', ')} healthy`)} ${seconds(event.ms)} after the revert`,
        );
        break;
      case 'still-broken':
        console.log(`${at()}  ${pc.red(`${event.component} still unhealthy`)}: ${event.problems.join('; ')}`);
        break;
    }
  };
}

function report(run: FaultRun, provider: Provider): number {
  if (run.broken.length > 0) {
    console.log(
      `\n${pc.red('the stack is not healthy again')}: ${run.broken.map((b) => `${b.component} (${b.problems.join('; ')})`).join(', ')}. ` +
        `\`pnpm chaos revert --instance ${provider.instance}\` undoes any fault still recorded, and ` +
        `\`pnpm stack:up --instance ${provider.instance}\` starts whatever is down; \`pnpm stack:status --instance ${provider.instance}\` shows the rest.`,
    );
    return 1;
  }
  return run.interrupted ? 130 : 0;
}

function printList(): void {
  const width = Math.max(...FAULTS.map((f) => f.name.length));
  for (const layer of ['process', 'network', 'application'] as const) {
    const kinds = FAULTS.filter((f) => f.layer === layer);
    if (kinds.length === 0) continue;
    console.log(pc.bold(`${layer} faults`));
    for (const f of kinds) {
      const shape =
        f.params.def.type === 'object' ? Object.keys((f.params as unknown as { shape: object }).shape) : [];
      console.log(
        `  ${f.name.padEnd(width)}  ${f.summary}${shape.length ? pc.dim(` [--set ${shape.map((k) => `${k}=…`).join(' ')}]`) : ''}` +
          pc.dim(` (on ${f.components.join(', ')})`),
      );
    }
  }
  console.log(`\n${SELECTOR_HELP}`);
}
