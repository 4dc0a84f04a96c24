import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '@stackdrill/stack';
import { cpuTimeMs, type OwnedProcesses } from '@stackdrill/toolkit';
import type { RateOutcome } from './capacity.ts';
import type { EngineFigures, EngineRun } from './engine-adapter.ts';
import { heyArgs, parseHey, type HeyResult } from './hey.ts';
import { pinnedCommand, type CpuPlan } from './pinning.ts';
import { parseWrk, wrkArgs, type WrkResult } from './wrk.ts';

/** One run of one generator, in the same terms whichever it was. */
export interface Measurement extends RateOutcome {
  generator: 'engine' | 'wrk' | 'hey';
  /**
   * Requests answered with 200 per second of the run. The engine's run lasts from the first
   * arrival's due time to the last answer (at least the planned seconds), so a late schedule, drops
   * and errors all lower it; wrk's and hey's are their own durations.
   */
  achievedRate: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** The generator's own output, parsed. */
  raw: EngineFigures | WrkResult | HeyResult;
  /** The server's CPU over the run (when its PID was given): is the generator or the server the limit? */
  server?: ServerLoad;
}

export interface ServerLoad {
  cpuMsPerRequest: number;
  /** Of one core: 1 is a saturated single-threaded server. */
  cpuShare: number;
}

/** The server's CPU time over a run, per request and as a share of one core. */
export function serverLoad(cpuMs: number, requests: number, seconds: number): ServerLoad {
  return { cpuMsPerRequest: cpuMs / Math.max(1, requests), cpuShare: cpuMs / Math.max(1, seconds * 1000) };
}

const DRIVER = fileURLToPath(new URL('./engine-driver.ts', import.meta.url));

/**
 * The three load generators, each run as a child process on the plan's generator cores against one
 * target, each bounded (its duration plus a margin, then killed), their output read into a
 * `Measurement`.
 */
export class LoadGenerators {
  constructor(
    private readonly owned: OwnedProcesses,
    private readonly plan: CpuPlan,
    /** The hello server, e.g. `http://127.0.0.1:40123/`. */
    private readonly url: string,
    private readonly options: {
      /** The engine's maxVUs. */
      maxInFlight: number;
      /** Unmeasured seconds before each engine run (its JIT warms up). */
      engineWarmupS: number;
      /** Write a V8 CPU profile of each engine run here (`node --cpu-prof`). */
      cpuProfDir?: string;
      /** The server's PID: each measurement then says how busy the server was. */
      serverPid?: number;
    },
  ) {}

  /** Runs a child generator, reading the server's CPU time before and after (wrk and hey start in ms). */
  private async withServerCpu<T>(run: () => Promise<T>): Promise<{ result: T; serverCpuMs?: number }> {
    const pid = this.options.serverPid;
    const before = pid ? await cpuTimeMs(pid) : undefined;
    const result = await run();
    const after = pid ? await cpuTimeMs(pid) : undefined;
    return before !== undefined && after !== undefined ? { result, serverCpuMs: after - before } : { result };
  }

  /** wrk's closed loop: `threads` threads (one per generator core), `connections` connections. */
  async wrk(seconds: number, connections = 64): Promise<Measurement> {
    const args = wrkArgs({ url: this.url, threads: this.plan.generatorCores, connections, seconds });
    const [command, argv] = pinnedCommand(this.plan, 'generator', 'wrk', args);
    const {
      result: { stdout },
      serverCpuMs,
    } = await this.withServerCpu(() =>
      this.owned.run(command, argv, { timeoutMs: (seconds + 15) * 1000, what: 'wrk' }),
    );
    const raw = parseWrk(stdout);
    const socket = raw.socketErrors;
    const errors = raw.non2xx + socket.connect + socket.read + socket.write + socket.timeout;
    const ok = raw.requests - raw.non2xx;
    return {
      generator: 'wrk',
      targetRate: raw.requestsPerS,
      achievedRate: ok / raw.seconds,
      requests: raw.requests,
      errors,
      dropped: 0,
      seconds: raw.seconds,
      p50Ms: raw.latencyMs[50] ?? NaN,
      p99Ms: raw.latencyMs[99] ?? NaN,
      raw,
      ...(serverCpuMs !== undefined ? { server: serverLoad(serverCpuMs, raw.requests, raw.seconds) } : {}),
    };
  }

  /** hey at a fixed total rate: `workers` closed loops of `rate / workers` each (hey's -q is per worker). */
  async hey(rate: number, seconds: number): Promise<Measurement> {
    const workers = Math.max(1, Math.ceil(rate / 250));
    const args = heyArgs({ url: this.url, seconds, workers, perWorkerRate: rate / workers });
    const [command, argv] = pinnedCommand(this.plan, 'generator', 'hey', args);
    const {
      result: { stdout },
      serverCpuMs,
    } = await this.withServerCpu(() =>
      this.owned.run(command, argv, { timeoutMs: (seconds + 30) * 1000, what: 'hey' }),
    );
    const raw = parseHey(stdout);
    const ok = raw.statuses['200'] ?? 0;
    const requests =
      Object.values(raw.statuses).reduce((a, b) => a + b, 0) +
      Object.values(raw.errors).reduce((a, b) => a + b, 0);
    return {
      generator: 'hey',
      targetRate: rate,
      achievedRate: ok / raw.seconds,
      requests,
      errors: requests - ok,
      dropped: 0,
      seconds: raw.seconds,
      p50Ms: raw.latencyMs[50] ?? NaN,
      p99Ms: raw.latencyMs[99] ?? NaN,
      raw,
      ...(serverCpuMs !== undefined ? { server: serverLoad(serverCpuMs, requests, raw.seconds) } : {}),
    };
  }

  /** The engine (`runProfile`) at a fixed arrival rate, in a Node process of its own. */
  async engine(rate: number, seconds: number): Promise<Measurement> {
    const run: EngineRun & { warmupS: number; serverPid?: number } = {
      target: new URL(this.url).origin,
      rate,
      seconds,
      maxInFlight: this.options.maxInFlight,
      warmupS: this.options.engineWarmupS,
      // The driver reads the server's CPU over its measured run only (not its start or warm-up).
      ...(this.options.serverPid ? { serverPid: this.options.serverPid } : {}),
    };
    const profile = this.options.cpuProfDir
      ? [
          '--cpu-prof',
          '--cpu-prof-dir',
          this.options.cpuProfDir,
          '--cpu-prof-name',
          `engine-${rate}.cpuprofile`,
        ]
      : [];
    if (this.options.cpuProfDir) mkdirSync(this.options.cpuProfDir, { recursive: true });
    const [command, argv] = pinnedCommand(this.plan, 'generator', process.execPath, [
      ...profile,
      '--import',
      'tsx',
      DRIVER,
      JSON.stringify(run),
    ]);
    const { stdout } = await this.owned.run(command, argv, {
      cwd: REPO_ROOT,
      // The drain after the last arrival is bounded by the request timeout (10 s).
      timeoutMs: (seconds + run.warmupS + 40) * 1000,
      what: `the engine at ${rate}/s`,
    });
    const raw = JSON.parse(stdout.trim().split('\n').at(-1)!) as EngineFigures & { serverCpuMs?: number };
    const runS = Math.max(raw.durationS, raw.plannedS);
    return {
      generator: 'engine',
      targetRate: rate,
      achievedRate: (raw.requests - raw.errors) / runS,
      requests: raw.requests,
      errors: raw.errors,
      dropped: raw.dropped,
      seconds: runS,
      p50Ms: raw.p50Ms,
      p99Ms: raw.p99Ms,
      raw,
      ...(raw.serverCpuMs !== undefined
        ? { server: serverLoad(raw.serverCpuMs, raw.requests, raw.durationS) }
        : {}),
    };
  }
}
