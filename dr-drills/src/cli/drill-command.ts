import { openProvider, parseStackCommand, type Provider } from '@stackdrill/stack';
import { seconds, UsageError, whileSignalsAbort } from '@stackdrill/toolkit';
import pc from 'picocolors';
import { DRILLS, drillNamed } from '../drills/registry.ts';
import { runDrill, type DrillEvent, type DrillResult } from '../run-drill.ts';
import { writeDrillReport } from '../write-report.ts';

const USAGE = `pnpm drill <name> [--instance NAME]
pnpm drill all [--instance NAME]     every drill in turn, then a table of RTO, RPO, lost writes and checks
pnpm drill list                      the drills and what each proves

  A drill runs a small background load and a canary writer per datastore it cares about
  (sequenced writes, each acknowledgement timed), injects its fault through the chaos runner
  (reverted whatever happens, also on Ctrl-C), waits for the stack to recover, reads every canary
  record back, and judges: RTO, RPO, acknowledged writes lost, the shop's invariants, against the
  targets in the facts (stack/facts/src/disaster-recovery.ts). It refuses a stack that is not
  healthy. Writes a JSON result and an HTML report to reports/drills/. Exit 0 when every check
  held, 1 when one did not, 130 when interrupted.`;

export async function drill(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(argv, USAGE, {}, true);
  if (!parsed) return 0;
  const [name, ...extra] = parsed.positionals;
  if (!name) throw new UsageError(`name a drill, \`all\` or \`list\`.\n${USAGE}`);
  if (extra.length) throw new UsageError(`one drill (or all) at a time; unexpected: ${extra.join(' ')}`);
  if (name === 'list') {
    for (const make of Object.values(DRILLS)) {
      const d = make();
      console.log(`${pc.bold(d.name)}  ${d.title}\n  ${pc.dim(d.description)}`);
    }
    return 0;
  }
  const drills = name === 'all' ? Object.values(DRILLS).map((make) => make()) : [drillNamed(name)];
  const provider = await openProvider(parsed.instance, parsed.provider);
  const results: DrillResult[] = [];
  let interrupted = false;
  await whileSignalsAbort('reverting the faults and stopping the load', async (signal) => {
    for (const d of drills) {
      if (signal.aborted) break;
      console.log(`\n${pc.bold(`drill ${d.name}`)}: ${d.title}  (the ${provider.instance} instance)`);
      const result = await runDrill(provider, d, { signal, onEvent: printer() });
      results.push(result);
      await printResult(result);
    }
    interrupted = signal.aborted;
  });
  if (results.length > 1) printTable(results);
  const healthy = await stillHealthy(provider);
  if (interrupted) return 130;
  return healthy && results.every((r) => r.status === 'passed' || r.status === 'unavailable') ? 0 : 1;
}

function printer(): (event: DrillEvent) => void {
  const t0 = Date.now();
  const at = () => pc.dim(seconds(Date.now() - t0).padStart(7));
  let lastLoad = 0;
  return (event) => {
    switch (event.type) {
      case 'note':
        console.log(`${at()}  ${pc.dim(event.line)}`);
        break;
      case 'canaries':
        if (event.datastores.length) console.log(`${at()}  canaries writing: ${event.datastores.join(', ')}`);
        break;
      case 'check':
        console.log(
          `${at()}  ${event.check.ok ? pc.green('held') : pc.red('BROKEN')}  ${event.check.name}: ${event.check.detail}`,
        );
        break;
      case 'experiment': {
        const e = event.event;
        if (e.type === 'phase') console.log(`${at()}  ${pc.bold(e.phase)}`);
        else if (e.type === 'load' && e.progress.elapsedS - lastLoad >= 5) {
          lastLoad = e.progress.elapsedS;
          console.log(
            `${at()}  load: ${e.progress.rate} req/s, p95 ${e.progress.p95Ms.toFixed(0)} ms, errors ${e.progress.errors}/${e.progress.requests}`,
          );
        } else if (e.type === 'fault') {
          const f = e.event;
          if (f.type === 'injected') console.log(`${at()}  ${pc.yellow(`${f.fault} on ${f.member}`)}`);
          else if (f.type === 'reverted') console.log(`${at()}  reverted ${f.fault} on ${f.member}`);
          else if (f.type === 'revert-failed')
            console.log(`${at()}  ${pc.red(`could not revert ${f.fault} on ${f.member}`)}: ${f.error}`);
          else if (f.type === 'recovered')
            console.log(`${at()}  ${f.components.join(', ')} healthy ${seconds(f.ms)} after the revert`);
          else if (f.type === 'still-broken')
            console.log(`${at()}  ${pc.red(`${f.component} still broken`)}: ${f.problems.join('; ')}`);
        } else if (e.type === 'hypothesis')
          for (const o of e.outcomes)
            console.log(
              `${at()}  ${o.ok ? pc.green('steady') : pc.red('not steady')} ${e.when}: ${o.name}: ${o.detail}`,
            );
        break;
      }
    }
  };
}

const s = (v: number | undefined) => (v === undefined ? '—' : `${v.toFixed(1)} s`);

async function printResult(result: DrillResult): Promise<void> {
  if (result.status === 'unavailable') {
    console.log(`${pc.yellow('cannot run here')}: ${result.reason}`);
    return;
  }
  for (const note of result.notes) console.log(`  ${note}`);
  const written = await writeDrillReport(result);
  const word =
    result.status === 'passed'
      ? pc.green('PASSED')
      : result.status === 'interrupted'
        ? pc.yellow('INTERRUPTED')
        : pc.red('FAILED');
  console.log(
    `${word}  RTO ${s(result.rtoS)}, RPO ${s(result.rpoS)}, ${result.checks.filter((c) => !c.ok).length} of ${result.checks.length} checks broken`,
  );
  console.log(`result: ${written.json}`);
  if (written.html) console.log(`report: ${written.html}`);
}

/** The summary of `pnpm drill all`: one row per drill. */
export function printTable(results: DrillResult[]): void {
  const rows = results.map((r) => [
    r.drill,
    r.status === 'unavailable' ? 'cannot run here' : r.status,
    s(r.rtoS),
    s(r.rpoS),
    r.canaries.length ? String(r.canaries.reduce((n, c) => n + c.lost.length, 0)) : '—',
    r.checks.length ? `${r.checks.filter((c) => c.ok).length}/${r.checks.length}` : '—',
  ]);
  const head = ['drill', 'result', 'RTO', 'RPO', 'acked lost', 'checks held'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${pc.bold(line(head))}`);
  for (const row of rows) console.log(line(row));
  for (const r of results.filter((x) => x.status === 'unavailable'))
    console.log(pc.dim(`${r.drill}: ${r.reason}`));
}

/** Every run ends with the stack healthy, or one paragraph saying what is not and how to mend it. */
async function stillHealthy(provider: Provider): Promise<boolean> {
  const sick = (await provider.status()).filter((c) => !c.healthy);
  if (sick.length === 0) return true;
  const instance = provider.instance;
  console.log(
    `\n${pc.red('the stack is not healthy again')}: ${sick.map((c) => `${c.component} (${c.problems.join('; ')})`).join(', ')}. ` +
      `\`pnpm chaos revert --instance ${instance}\` undoes any fault still recorded, \`pnpm stack:up --instance ${instance}\` starts whatever is down, ` +
      `and \`pnpm stack:status --instance ${instance}\` shows the rest.`,
  );
  return false;
}
