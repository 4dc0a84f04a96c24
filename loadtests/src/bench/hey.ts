/** What hey printed: `workers` closed loops, each held to `perWorkerRate` requests per second. */
export interface HeyResult {
  /** Responses, by status. */
  statuses: Record<string, number>;
  /** Requests that got no response (connection refused, timeout), by message. */
  errors: Record<string, number>;
  seconds: number;
  /** hey's own figure: every request, answered or not, per second. */
  requestsPerS: number;
  /** Percentile → ms (10, 25, 50, 75, 90, 95, 99); hey prints them to 0.1 ms. Empty when nothing was answered. */
  latencyMs: Record<number, number>;
}

export interface HeyOptions {
  url: string;
  seconds: number;
  /** hey's -c. */
  workers: number;
  /** hey's -q: per worker, so the total rate is `workers × perWorkerRate`. */
  perWorkerRate: number;
}

/** `hey -z 10s -c C -q Q <url>`. */
export function heyArgs(options: HeyOptions): string[] {
  return [
    '-z',
    `${options.seconds}s`,
    '-c',
    String(options.workers),
    '-q',
    String(options.perWorkerRate),
    options.url,
  ];
}

/** Reads hey 0.1's summary (captured real output is in `fixtures/`); throws when it is not one. */
export function parseHey(text: string): HeyResult {
  const total = /^\s*Total:\s*([\d.]+) secs/m.exec(text);
  const rate = /^\s*Requests\/sec:\s*([\d.]+)/m.exec(text);
  if (!total || !rate) throw new Error(`not hey's summary:\n${text.trim().split('\n').slice(-5).join('\n')}`);
  const latencyMs: Record<number, number> = {};
  for (const [, p, secs] of text.matchAll(/^\s*(\d+)% in ([\d.]+) secs/gm))
    latencyMs[Number(p)] = Number(secs) * 1000;
  const section = (title: string) => {
    const start = text.indexOf(`${title}:\n`);
    if (start < 0) return [];
    const lines = text.slice(start + title.length + 2).split('\n');
    const end = lines.findIndex((line) => !line.trim());
    return lines.slice(0, end < 0 ? undefined : end);
  };
  const statuses: Record<string, number> = {};
  for (const line of section('Status code distribution')) {
    const match = /\[(\d+)\]\s+(\d+) responses/.exec(line);
    if (match) statuses[match[1]!] = Number(match[2]);
  }
  const errors: Record<string, number> = {};
  for (const line of section('Error distribution')) {
    const match = /\[(\d+)\]\s+(.+)$/.exec(line);
    if (match) errors[match[2]!.trim()] = Number(match[1]);
  }
  return { statuses, errors, seconds: Number(total[1]), requestsPerS: Number(rate[1]), latencyMs };
}
