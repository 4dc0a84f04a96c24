import type { Request, Response } from 'express';

/** A dependency check for `/ready`: resolves when reachable, rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<unknown>;

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);

/** `/health`: the process is alive and serving. Never touches dependencies. */
export const health = (_req: Request, res: Response) => {
  res.json({ status: 'ok' });
};

/** Runs every check (bounded): ready when all answer, with each one's state by name. */
export async function readinessReport(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2000,
): Promise<{ ready: boolean; body: { status: string; checks: Record<string, string> } }> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), timeoutMs);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, (error as Error).message] as const;
      }
    }),
  );
  const ready = results.every(([, state]) => state === 'ok');
  return { ready, body: { status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) } };
}

/** `/ready`: every dependency answers; 503 with Retry-After and the failing ones otherwise. */
export function ready(checks: Record<string, ReadinessCheck>, timeoutMs = 2000) {
  return async (_req: Request, res: Response) => {
    const report = await readinessReport(checks, timeoutMs);
    if (!report.ready) res.status(503).setHeader('Retry-After', '5');
    res.json(report.body);
  };
}
