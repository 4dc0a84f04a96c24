import { Router } from 'express';
import { validated } from '@stackdrill/kit';
import { z } from 'zod';
import type { FaultSwitches } from '../domain/faults.ts';

/** Service-to-service routes (behind the API key): the fault switches, for load tests and chaos. */
export function internalRoutes(faults: FaultSwitches): Router {
  const router = Router();
  router.get('/faults', (_req, res) => {
    res.json({ payment: faults.payment });
  });
  router.put(
    '/faults',
    validated(
      {
        body: z.strictObject({
          payment: z.strictObject({
            failureRate: z.number().min(0).max(1).optional(),
            latencyMs: z.number().int().min(0).max(60_000).optional(),
          }),
        }),
      },
      ({ body }, _req, res) => {
        const changes = Object.fromEntries(Object.entries(body.payment).filter(([, v]) => v !== undefined));
        res.json({ payment: faults.set(changes) });
      },
    ),
  );
  return router;
}
