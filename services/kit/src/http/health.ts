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

/** `/ready`: every dependency answers; 503 with Retry-After and the failing ones otherwise. */
export function ready(checks: Record<string, ReadinessCheck>, timeoutMs = 2000) {
  return async (_req: Request, res: Response) => {
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
    const failing = results.filter(([, state]) => state !== 'ok');
    if (failing.length > 0) res.status(503).setHeader('Retry-After', '5');
    res.json({ status: failing.length ? 'unavailable' : 'ready', checks: Object.fromEntries(results) });
  };
}
