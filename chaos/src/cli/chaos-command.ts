import { durationSeconds } from '@stackdrill/loadtests';
import { openProvider, parseStackCommand, type Provider } from '@stackdrill/stack';
import { seconds, UsageError, whileSignalsAbort } from '@stackdrill/toolkit';
import pc from 'picocolors';
import { FAULTS } from '../faults/catalogue.ts';
import { revertLeftovers, runFault, type FaultEvent, type FaultRun } from '../run-fault.ts';
import { SELECTOR_HELP } from '../targets.ts';
import { experimentNames, isExperiment, loadExperiment } from '../experiment/load-experiment.ts';
import type { Experiment } from '../experiment/schema.ts';
import { runExperiment, type ExperimentResult } from '../experiment/run-experiment.ts';
import { writeExperimentReport } from '../experiment/write-report.ts';

const USAGE = `pnpm chaos <fault> --target SELECTOR [--duration 30s] [--set key=value ...] [--instance NAME]
pnpm chaos <experiment | file.yaml> [--instance NAME]
pnpm chaos list          the faults, their layers and parameters, and the shipped experiments
pnpm chaos revert        undo every fault still recorded as in place on the instance (a run that was killed)

  An experiment (chaos/experiments/*.yaml, Chaos Toolkit's vocabulary) runs a small background
  load, checks its steady-state hypothesis, runs its method (faults, probes, pauses), aborts early
  when the load crosses its bounds, waits for the hypothesis to hold again, and writes a JSON result
  and an HTML report with the faults on the load's timeline to reports/chaos/. Exit 0 when the
  hypothesis held again, 1 when not (or it did not hold before), 130 when interrupted.

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
  if (isExperiment(command)) {
    const { path, experiment } = await loadExperiment(command);
    const provider = await openProvider(parsed.instance, parsed.provider);
    return experimentCommand(provider, path, experiment);
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
  const t0 = Date.now();
  return whileSignalsAbort('reverting the fault', async (signal) =>
    report(
      await runFault(
        provider,
        { fault: command, target, durationS, params: parseSets(set) },
        { signal, onEvent: printer(t0) },
      ),
      provider,
    ),
  );
}

async function experimentCommand(provider: Provider, path: string, experiment: Experiment): Promise<number> {
  console.log(`${pc.bold(experiment.title)}  (${path}, the ${provider.instance} instance)`);
  const t0 = Date.now();
  const printFault = printer(t0);
  const at = () => pc.dim(seconds(Date.now() - t0).padStart(7));
  let lastLoad = 0;
  const result = await whileSignalsAbort('reverting the faults and stopping the load', (signal) =>
    runExperiment(provider, experiment, {
      signal,
      onEvent: (event) => {
        switch (event.type) {
          case 'phase':
            console.log(`${at()}  ${pc.bold(event.phase)}`);
            break;
          case 'note':
            console.log(`${at()}  ${pc.dim(event.line)}`);
            break;
          case 'load':
            if (event.progress.elapsedS - lastLoad >= 5) {
              lastLoad = event.progress.elapsedS;
              const p = event.progress;
              console.log(
                `${at()}  load: ${p.rate} req/s, p95 ${p.p95Ms.toFixed(0)} ms, errors ${p.errors}/${p.requests}`,
              );
            }
            break;
          case 'hypothesis':
            for (const o of event.outcomes)
              console.log(
                `${at()}  ${o.ok ? pc.green('holds') : pc.red('does not hold')}  ${o.name}: ${o.detail}`,
              );
            break;
          case 'step':
            console.log(`${at()}  step: ${event.name} (${event.kind})`);
            break;
          case 'probe':
            console.log(`${at()}  probe ${event.name}: ${event.ok ? 'ok' : 'not ok'} (${event.detail})`);
            break;
          case 'fault':
            printFault(event.event);
            break;
          case 'abort':
            console.log(`${at()}  ${pc.red('abort')}: ${event.reason}`);
            break;
          case 'recovered':
            console.log(
              `${at()}  ${pc.green(`steady again ${event.afterS.toFixed(1)} s after the last revert`)} (judged over the window that followed)`,
            );
            break;
        }
      },
    }),
  );
  const written = await writeExperimentReport(path, result);
  const verdict: Record<ExperimentResult['status'], string> = {
    completed: pc.green('completed: the hypothesis held before and again after the method'),
    deviated: pc.red('deviated: the hypothesis did not hold again within the recovery bound'),
    aborted: pc.red(`aborted: ${result.abortReason ?? 'a bound was crossed'}`),
    failed: pc.red('failed: the hypothesis did not hold before the method, so nothing was injected'),
    interrupted: pc.yellow('interrupted: every fault was reverted'),
  };
  console.log(`\n${verdict[result.status]}`);
  if (result.recoveryS !== undefined)
    console.log(`recovery: ${result.recoveryS.toFixed(1)} s after the last revert`);
  console.log(`result: ${written.json}`);
  if (written.html) console.log(`report: ${written.html}`);
  const sick = (await provider.status()).filter((c) => !c.healthy);
  if (sick.length) {
    printStillBroken(
      provider,
      sick.map((c) => ({ component: c.component, problems: c.problems })),
    );
    return 1;
  }
  return result.status === 'completed' ? 0 : result.status === 'interrupted' ? 130 : 1;
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
    printStillBroken(provider, run.broken);
    return 1;
  }
  return run.interrupted ? 130 : 0;
}

/** The one paragraph a run ends with when the stack is not healthy again: what, and the commands that mend it. */
function printStillBroken(provider: Provider, broken: FaultRun['broken']): void {
  const instance = provider.instance;
  console.log(
    `\n${pc.red('the stack is not healthy again')}: ${broken.map((b) => `${b.component} (${b.problems.join('; ')})`).join(', ')}. ` +
      `\`pnpm chaos revert --instance ${instance}\` undoes any fault still recorded, and ` +
      `\`pnpm stack:up --instance ${instance}\` starts whatever is down, \`pnpm chaos restart --target <member> --instance ${instance}\` ` +
      `restarts one that runs but does not recover; \`pnpm stack:status --instance ${instance}\` shows the rest.`,
  );
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
          pc.dim(` (on ${f.appliesTo ?? f.components.join(', ')})`),
      );
    }
  }
  console.log(`\n${SELECTOR_HELP}`);
  console.log(`\n${pc.bold('experiments')} (chaos/experiments/): ${experimentNames().join(', ')}`);
}
