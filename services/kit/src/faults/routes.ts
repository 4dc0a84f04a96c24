import { Router } from 'express';
import { AppError } from '../errors.ts';
import type { FaultSwitches } from './catalogue.ts';

/**
 * `/faults` of a service's internal routes (mounted at `/internal`, behind the service API key; the
 * gateway routes nothing there):
 * - `GET`: `{ service, active, switches }`, every switch's value and the names of those that are on;
 * - `PUT`: a partial change, `{ "<switch>": <change>, … }`: only the switches named change. Answers
 *   the new value of each; an unknown switch or a bad value is a 400 that lists the switches;
 * - `DELETE`: every switch off (a chaos run's revert); idempotent, answers as `GET`.
 */
export function faultRoutes(faults: FaultSwitches): Router {
  const router = Router();
  router.get('/faults', (_req, res) => {
    res.json(faults.state());
  });
  router.put('/faults', (req, res) => {
    res.json(faults.change(req.body));
  });
  router.delete('/faults', (_req, res) => {
    res.json(faults.reset());
  });
  router.all('/faults', (req, res) => {
    res.setHeader('Allow', 'GET, HEAD, PUT, DELETE');
    throw new AppError(
      405,
      'METHOD_NOT_ALLOWED',
      `${req.method} is not allowed on /internal/faults; it answers GET, PUT and DELETE`,
    );
  });
  return router;
}
