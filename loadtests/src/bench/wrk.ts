import { toMs } from './units.ts';

/** What wrk printed: a closed loop of `connections` connections, as fast as the target answers. */
export interface WrkResult {
  /** Every response, whatever its status. */
  requests: number;
  seconds: number;
  /** wrk's own figure: `requests / seconds`. */
  requestsPerS: number;
  /** Percentile → ms, from `--latency` (50, 75, 90, 99); empty without it. */
  latencyMs: Record<number, number>;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  /** Responses with a status other than 2xx or 3xx. */
  non2xx: number;
}

export interface WrkOptions {
  url: string;
  threads: number;
  connections: number;
  seconds: number;
}

/** `wrk -t1 -c64 -d10s --latency <url>`. */
export function wrkArgs(options: WrkOptions): string[] {
  return [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--latency',
    options.url,
  ];
}

/** Reads wrk 4's summary (captured real output is in `fixtures/`); throws when it is not one. */
export function parseWrk(text: string): WrkResult {
  const total = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),/m.exec(text);
  const rate = /^Requests\/sec:\s*([\d.]+)/m.exec(text);
  if (!total || !rate) throw new Error(`not wrk's summary:\n${text.trim().split('\n').slice(-5).join('\n')}`);
  const latencyMs: Record<number, number> = {};
  const distribution = /Latency Distribution\n((?:\s+\d+%\s+[\d.]+\w+\n)+)/.exec(text);
  for (const line of distribution?.[1]?.trim().split('\n') ?? []) {
    const [, p, value, unit] = /(\d+)%\s+([\d.]+)([a-z]+)/.exec(line)!;
    latencyMs[Number(p)] = toMs(value!, unit!);
  }
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(total[1]),
    seconds: toMs(total[2]!, total[3]!) / 1000,
    requestsPerS: Number(rate[1]),
    latencyMs,
    socketErrors: {
      connect: Number(socket?.[1] ?? 0),
      read: Number(socket?.[2] ?? 0),
      write: Number(socket?.[3] ?? 0),
      timeout: Number(socket?.[4] ?? 0),
    },
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
  };
}
