import { setTimeout as sleep } from 'node:timers/promises';
import { trace } from '@opentelemetry/api';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors.ts';
import { errorBody } from '../http/error-handler.ts';
import {
  compileMatch,
  isExemptPath,
  type FaultSwitches,
  type RequestMatcher,
  type RouteFault,
} from './catalogue.ts';

interface CompiledRule {
  rule: RouteFault;
  matches: RequestMatcher;
}

/**
 * The `routes` fault switch, in front of a service's API: a request that matches a rule (the first
 * that does) waits the rule's latency ± jitter, then a share `errorRate` of such requests is answered
 * 503 `FAULT_INJECTED` in the kit's error shape instead of being handled. Exempt paths (probes,
 * metrics, the API document, `/internal`) pass untouched, and so does everything while the switch is
 * off (one array length check). An injected 503 is labelled in the metrics and the trace with the
 * route it stands in for (`operations`: the service's declared routes), not as unmatched; it is not
 * logged as a failure (the access line shows it). A request whose client leaves during the delay is
 * not handled: there is no one to answer.
 */
export function injectFaults(
  faults: FaultSwitches,
  options: { operations?: { method: string; path: string }[] } = {},
): RequestHandler {
  const routePatterns = (options.operations ?? []).flatMap(({ method, path }) => {
    const matches = compileMatch(`${method} ${path}`);
    return typeof matches === 'string' ? [] : [{ path, matches }];
  });
  const compiled = new WeakMap<readonly RouteFault[], CompiledRule[]>();
  const compiledRules = (rules: readonly RouteFault[]) => {
    let list = compiled.get(rules);
    if (!list) {
      // The rules were validated on their way in: each compiles.
      list = rules.map((rule) => ({ rule, matches: compileMatch(rule.match) as RequestMatcher }));
      compiled.set(rules, list);
    }
    return list;
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    const rules = faults.routes;
    if (rules.length === 0 || isExemptPath(req.path)) return next();
    const rule = compiledRules(rules).find((r) => r.matches(req.method, req.path))?.rule;
    if (!rule) return next();
    const delayMs = delayOf(rule, faults.random);
    const fail = rule.errorRate > 0 && faults.random() < rule.errorRate;
    trace.getActiveSpan()?.addEvent('fault injected', {
      'fault.switch': 'routes',
      'fault.match': rule.match,
      'fault.delay_ms': delayMs,
      'fault.error': fail,
    });
    if (delayMs > 0 && !(await waitWhileOpen(res, delayMs))) return;
    if (!fail) return next();
    const route = routePatterns.find((r) => r.matches(req.method, req.path))?.path;
    if (route) res.locals.route = route;
    const error = new AppError(
      503,
      'FAULT_INJECTED',
      `injected fault: the routes fault switch fails a share ${rule.errorRate} of "${rule.match}" requests (a chaos experiment); retry shortly`,
      undefined,
      1,
    );
    res.setHeader('Retry-After', String(error.retryAfterS));
    res.status(error.status).json(errorBody(error, res.getHeader('x-request-id') as string | undefined));
  };
}

/** The rule's delay: latency ± a uniform jitter, never below 0. */
export function delayOf(rule: Pick<RouteFault, 'latencyMs' | 'jitterMs'>, random: () => number): number {
  if (rule.jitterMs === 0) return rule.latencyMs;
  return Math.max(0, Math.round(rule.latencyMs + (random() * 2 - 1) * rule.jitterMs));
}

/**
 * Waits `ms`; false if the response closed first (its client left, or a stopping service cut its
 * connection).
 */
async function waitWhileOpen(res: Response, ms: number): Promise<boolean> {
  if (res.destroyed) return false;
  const closed = new AbortController();
  const onClose = () => closed.abort();
  res.once('close', onClose);
  try {
    await sleep(ms, undefined, { signal: closed.signal });
    return true;
  } catch {
    return false;
  } finally {
    res.off('close', onClose);
  }
}
