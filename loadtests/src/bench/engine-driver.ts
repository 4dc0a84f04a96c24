// The engine in a process of its own, so the bench can pin it to the generator cores like wrk and
// hey: `node --import tsx engine-driver.ts '<EngineRun + warmupS as JSON>'`. Runs an unmeasured
// warm-up at half the rate (JIT), then the measured run, and prints one JSON line: the engine's
// figures plus where its time went (CPU per request, event-loop delay) and, given the server's PID,
// the server's CPU over the same measured run.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuTimeMs } from '@stackdrill/toolkit';
import { engineFigures, runEngine, type EngineRun } from './engine-adapter.ts';

const run = JSON.parse(process.argv[2] ?? '{}') as EngineRun & { warmupS: number; serverPid?: number };
const abort = new AbortController();
process.once('SIGTERM', () => abort.abort());
if (run.warmupS > 0) {
  const warmup = { ...run, rate: Math.max(1, Math.round(run.rate / 2)), seconds: run.warmupS };
  await runEngine({ ...warmup, signal: abort.signal });
}
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const serverBefore = run.serverPid ? await cpuTimeMs(run.serverPid) : undefined;
const cpu = process.cpuUsage();
const summary = await runEngine({ ...run, signal: abort.signal });
const used = process.cpuUsage(cpu);
const serverAfter = run.serverPid ? await cpuTimeMs(run.serverPid) : undefined;
loop.disable();
const figures = engineFigures(run, summary);
const serverCpuMs =
  serverBefore !== undefined && serverAfter !== undefined ? serverAfter - serverBefore : undefined;
const line = JSON.stringify({
  ...figures,
  ...(serverCpuMs !== undefined ? { serverCpuMs } : {}),
  cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, figures.requests),
  cpuShare: (used.user + used.system) / 1e6 / summary.durationS,
  loopDelayP99Ms: loop.percentile(99) / 1e6,
  loopDelayMaxMs: loop.max / 1e6,
});
// Exit once the line is written: the runner leaves its 30 s drain timer pending after a run ends
// (share.ts races the drain against an uncleared `sleep(drainMs)`), which would hold this process.
process.stdout.write(`${line}\n`, () => process.exit(0));
