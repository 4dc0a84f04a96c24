import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';
import pc from 'picocolors';
import { doctorLine, REPO_ROOT, runDoctor } from '@stackdrill/stack';
import { OwnedProcesses, parseCli } from '@stackdrill/toolkit';
import { searchCapacity, SUSTAINED, type CapacityStep } from './capacity.ts';
import type { EngineFigures } from './engine-adapter.ts';
import { LoadGenerators, type Measurement } from './generators.ts';
import { startHelloServer, type StartedHelloServer } from './hello-server.ts';
import { detectCpuPlan } from './pinning.ts';
import { judgeTargets, TARGETS, type TargetVerdict } from './targets.ts';

/** Every phase has a fixed length: the whole bench stays under ~3 minutes. */
const PHASES = {
  /** A fresh Node server speeds up by ~40 % over its first ~12 s of load (V8 optimising its hot paths). */
  serverWarmupS: 12,
  wrkS: 10,
  wrkConnections: 64,
  /** Each rate of the engine's capacity search... */
  stepS: 5,
  /** ... up to this many rungs of ×1.25, then this many refinements. */
  ladderSteps: 6,
  refineSteps: 2,
  factor: 1.25,
  accuracyS: 10,
  agreementS: 10,
  /** The agreement is measured at this fraction of the lower of the two saturations. */
  agreementLoad: 0.5,
  /** Unmeasured seconds of the engine before each of its runs (its JIT). */
  engineWarmupS: 1,
  /** The engine's maxVUs: room for a 100 ms stall of this shared machine at 10,000/s before dropping. */
  maxInFlight: 1000,
} as const;

const USAGE = `pnpm bench:engine [--cpu-prof]
  Measures the Node load engine (runProfile, loadtests/src/engine/runner.ts) against wrk and hey on a
  bare Node "hello" server on 127.0.0.1 (a child process). With two cores or more the server runs on
  the first and every load generator, one after the other, on the rest (taskset).
  1. capacity: wrk -t<cores> -c${PHASES.wrkConnections} for ${PHASES.wrkS} s before and after the engine's search
     (their mean); the engine's highest sustained rate (${PHASES.stepS} s per rate, ×${PHASES.factor} steps, then
     ${PHASES.refineSteps} refinements; sustained: ≥ ${SUSTAINED.minAchieved * 100} % of the rate answered, nothing dropped, errors
     < ${SUSTAINED.maxErrorRate * 100} %). Target: ≥ ${TARGETS.capacityRatio} × wrk.
  2. schedule accuracy: the engine at ${TARGETS.accuracyRate}/s for ${PHASES.accuracyS} s; achieved = requests answered 200 ÷
     seconds from the first arrival's due time to the last answer. Target: within ${TARGETS.accuracyTolerance * 100} %.
  3. agreement: the engine and hey (-c C -q rate/C) at ${PHASES.agreementLoad * 100} % of the lower saturation for ${PHASES.agreementS} s
     each. Target: engine p50 within ${TARGETS.p50Tolerance * 100} % of hey's.
  Writes reports/bench/engine-<time>.json. Exit 0 when every target is met, 1 otherwise, 130 on Ctrl-C.
  --cpu-prof: also write a V8 CPU profile of every engine run into reports/bench/engine-<time>-profiles/.`;

class Interrupted extends Error {}

const rate = (perS: number) => `${Math.round(perS).toLocaleString('en-US')}/s`;
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : 'n/a');
const pct = (fraction: number) => `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)} %`;

/** One line about a measurement, for the progress output. */
function describe(m: Measurement): string {
  const parts = [`achieved ${rate(m.achievedRate)}`, `p50 ${ms(m.p50Ms)}`, `p99 ${ms(m.p99Ms)}`];
  if (m.errors) parts.push(pc.red(`${m.errors} errors`));
  if (m.dropped) parts.push(pc.yellow(`${m.dropped} dropped`));
  if (m.server)
    parts.push(
      pc.dim(
        `server ${(m.server.cpuMsPerRequest * 1000).toFixed(0)} µs CPU/req, ${(m.server.cpuShare * 100).toFixed(0)} % of its core`,
      ),
    );
  if (m.generator === 'engine') {
    const raw = m.raw as EngineFigures & { cpuMsPerRequest?: number; loopDelayMaxMs?: number };
    if (raw.cpuMsPerRequest !== undefined)
      parts.push(
        pc.dim(`CPU ${raw.cpuMsPerRequest.toFixed(3)} ms/req, loop stall ≤ ${ms(raw.loopDelayMaxMs ?? NaN)}`),
      );
  }
  return parts.join(', ');
}

export async function benchEngine(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, {
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = join(REPO_ROOT, 'reports', 'bench');
  const out = join(outDir, `engine-${stamp}.json`);

  console.log('doctor: wrk and hey...');
  await runDoctor({
    stack: false,
    bench: true,
    onEvent: (e) => console.log(`  ${doctorLine(e)}`),
  });

  const t0 = performance.now();
  const say = (line: string) =>
    console.log(`${pc.dim(`${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s`)}  ${line}`);
  const plan = detectCpuPlan();
  const owned = new OwnedProcesses();
  const interrupt = new AbortController();
  const onSigint = () => {
    console.log(pc.yellow('\ninterrupted: stopping the load generators and the server...'));
    interrupt.abort();
    owned.killAll();
  };
  const onExit = () => owned.killAll();
  process.once('SIGINT', onSigint);
  process.once('exit', onExit);
  const checkpoint = () => {
    if (interrupt.signal.aborted) throw new Interrupted();
  };
  const loadBefore = loadavg();
  let server: StartedHelloServer | undefined;
  try {
    server = await startHelloServer(owned, plan);
    say(`hello server at ${server.url} (pid ${server.pid}); ${plan.describe}`);
    const generators = new LoadGenerators(owned, plan, server.url, {
      maxInFlight: PHASES.maxInFlight,
      engineWarmupS: PHASES.engineWarmupS,
      serverPid: server.pid,
      ...(values['cpu-prof'] ? { cpuProfDir: join(outDir, `engine-${stamp}-profiles`) } : {}),
    });

    say(`1/6 warm-up: wrk for ${PHASES.serverWarmupS} s (the server's JIT; not measured)`);
    await generators.wrk(PHASES.serverWarmupS, PHASES.wrkConnections);
    checkpoint();
    say(`2/6 wrk capacity: -t${plan.generatorCores} -c${PHASES.wrkConnections} for ${PHASES.wrkS} s`);
    const wrkBefore = await generators.wrk(PHASES.wrkS, PHASES.wrkConnections);
    say(`    wrk: ${describe(wrkBefore)}`);
    checkpoint();

    const start = Math.max(
      1,
      (TARGETS.capacityRatio * wrkBefore.achievedRate) / PHASES.factor ** Math.floor(PHASES.ladderSteps / 2),
    );
    say(
      `3/6 engine capacity: ${PHASES.stepS} s per rate from ${rate(start)} (×${PHASES.factor}; ` +
        `${TARGETS.capacityRatio} × wrk is a rung), at most ${PHASES.ladderSteps + PHASES.refineSteps} rates`,
    );
    const search = await searchCapacity({
      start,
      factor: PHASES.factor,
      ladderSteps: PHASES.ladderSteps,
      refineSteps: PHASES.refineSteps,
      measure: async (r) => {
        checkpoint();
        return generators.engine(r, PHASES.stepS);
      },
      onStep: (s: CapacityStep<Measurement>) =>
        say(
          `    ${rate(s.rate).padStart(9)}: ${describe(s.outcome)} → ${s.sustained ? pc.green('held') : pc.red('not sustained')}`,
        ),
    });
    checkpoint();

    say(`4/6 wrk capacity again (the machine is shared: wrk's figure is the mean of before and after)`);
    const wrkAfter = await generators.wrk(PHASES.wrkS, PHASES.wrkConnections);
    say(`    wrk: ${describe(wrkAfter)}`);
    const wrkCapacity = (wrkBefore.achievedRate + wrkAfter.achievedRate) / 2;
    checkpoint();

    say(`5/6 schedule accuracy: the engine at ${rate(TARGETS.accuracyRate)} for ${PHASES.accuracyS} s`);
    const accuracy = await generators.engine(TARGETS.accuracyRate, PHASES.accuracyS);
    say(`    engine: ${describe(accuracy)}`);
    checkpoint();

    const lowest = Math.min(...search.steps.map((s) => s.rate));
    const saturation = Math.min(search.capacity ?? lowest / PHASES.factor, wrkCapacity);
    const agreementRate = Math.max(10, Math.round(PHASES.agreementLoad * saturation));
    say(
      `6/6 agreement at ${rate(agreementRate)} (${PHASES.agreementLoad * 100} % of the lower saturation): the engine, then hey`,
    );
    const engineAtRate = await generators.engine(agreementRate, PHASES.agreementS);
    say(`    engine: ${describe(engineAtRate)}`);
    checkpoint();
    const hey = await generators.hey(agreementRate, PHASES.agreementS);
    say(`    hey:    ${describe(hey)}`);
    checkpoint();

    const verdicts = judgeTargets({
      engineCapacity: search.capacity,
      wrkCapacity,
      accuracyAchieved: accuracy.achievedRate,
      engineP50Ms: engineAtRate.p50Ms,
      heyP50Ms: hey.p50Ms,
    });
    printTable(verdicts, {
      engineCapacity: search.capacity,
      failedAt: search.failedAt,
      wrkBefore,
      wrkAfter,
      wrkCapacity,
      accuracy,
      agreementRate,
      engineAtRate,
      hey,
    });
    const machine = {
      cores: cpus().length,
      model: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadavg(),
    };
    console.log(
      pc.dim(
        `${plan.describe}; ${machine.cores} cores (${machine.model}), load average ${loadBefore[0]!.toFixed(1)} → ` +
          `${machine.loadAverageAfter[0]!.toFixed(1)} (other work on this machine moves these figures: compare runs)`,
      ),
    );
    await mkdir(outDir, { recursive: true });
    await writeFile(
      out,
      JSON.stringify(
        {
          format: 'stackdrill-bench-engine/1',
          startedAt: new Date(Date.now() - (performance.now() - t0)).toISOString(),
          machine,
          pinning: plan,
          phases: PHASES,
          targets: TARGETS,
          wrk: { before: wrkBefore, after: wrkAfter, capacity: wrkCapacity },
          engineCapacity: search,
          accuracy,
          agreement: { rate: agreementRate, engine: engineAtRate, hey },
          verdicts,
          passed: verdicts.every((v) => v.met),
        },
        null,
        2,
      ),
    );
    console.log(`report: ${out}`);
    return verdicts.every((v) => v.met) ? 0 : 1;
  } catch (error) {
    if (interrupt.signal.aborted) {
      console.log(pc.yellow('interrupted: no report written'));
      return 130;
    }
    throw error;
  } finally {
    await server?.stop();
    owned.killAll();
    process.off('SIGINT', onSigint);
    process.off('exit', onExit);
  }
}

function printTable(
  verdicts: TargetVerdict[],
  f: {
    engineCapacity: number | undefined;
    failedAt: number | undefined;
    wrkBefore: Measurement;
    wrkAfter: Measurement;
    wrkCapacity: number;
    accuracy: Measurement;
    agreementRate: number;
    engineAtRate: Measurement;
    hey: Measurement;
  },
): void {
  const table = new Table({
    head: ['figure', 'value', 'target', ''].map((h) => pc.bold(h)),
    style: { head: [] },
  });
  const verdict = (figure: TargetVerdict['figure']) => {
    const v = verdicts.find((x) => x.figure === figure)!;
    return { v, mark: v.met ? pc.green('met') : pc.red('MISSED') };
  };
  const capacity = verdict('capacity');
  const accuracy = verdict('accuracy');
  const agreement = verdict('agreement');
  table.push(
    [
      'engine capacity (highest sustained rate)',
      `${f.engineCapacity ? rate(f.engineCapacity) : 'none held'} = ${capacity.v.value.toFixed(2)} × wrk\n` +
        `(wrk ${rate(f.wrkCapacity)}: ${rate(f.wrkBefore.achievedRate)} before, ${rate(f.wrkAfter.achievedRate)} after` +
        `${f.failedAt ? `; engine not sustained at ${rate(f.failedAt)}` : ''})`,
      capacity.v.target,
      capacity.mark,
    ],
    [
      `schedule accuracy at ${rate(TARGETS.accuracyRate)}`,
      `${rate(f.accuracy.achievedRate)} achieved (${pct(accuracy.v.value)}; ${f.accuracy.dropped} dropped, ${f.accuracy.errors} errors)`,
      accuracy.v.target,
      accuracy.mark,
    ],
    [
      `p50 agreement at ${rate(f.agreementRate)}`,
      `engine ${ms(f.engineAtRate.p50Ms)} vs hey ${ms(f.hey.p50Ms)} (${pct(agreement.v.value)})\n` +
        `(p99: engine ${ms(f.engineAtRate.p99Ms)}, hey ${ms(f.hey.p99Ms)}; hey prints to 0.1 ms, ` +
        `achieved ${rate(f.hey.achievedRate)})`,
      agreement.v.target,
      agreement.mark,
    ],
  );
  console.log(table.toString());
}
