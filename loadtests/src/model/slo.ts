// The SLO spec, declared once. It renders the k6 thresholds, the Node engine's gate and (with the
// Kubernetes work) the Prometheus alert rules. Plain data and pure functions only: k6 imports this
// module too, so nothing here may use Node or npm packages.

/** One objective: latency percentiles of successful and failed requests alike, and the error rate. */
export interface Objective {
  p95Ms: number;
  p99Ms: number;
  /** Share of requests that may fail (transport errors, unexpected statuses), 0 to 1. */
  maxErrorRate: number;
}

/** The architecture document's alert levels: error rate above 5 %, p95 above 1 s. */
export const ALERT_LEVELS = { errorRate: 0.05, p95Ms: 1000 } as const;

/**
 * Endpoints by their route pattern, as the services label their metrics (`GET /api/products/:id`);
 * journeys by name. Every request of a journey names its endpoint, so each is judged by both.
 */
export const SLO_SPEC = {
  endpoints: {
    'GET /api/products': { p95Ms: 300, p99Ms: 800, maxErrorRate: 0.01 },
    'GET /api/products/:id': { p95Ms: 250, p99Ms: 600, maxErrorRate: 0.01 },
    'POST /api/users': { p95Ms: 800, p99Ms: 1500, maxErrorRate: 0.01 },
    'POST /api/auth/token': { p95Ms: 1000, p99Ms: 2000, maxErrorRate: 0.01 },
    'GET /api/users/me': { p95Ms: 250, p99Ms: 600, maxErrorRate: 0.01 },
    'POST /api/orders': { p95Ms: 1000, p99Ms: 2500, maxErrorRate: 0.02 },
    'POST /api/orders/:id/payment': { p95Ms: 1000, p99Ms: 2500, maxErrorRate: 0.02 },
    'GET /api/orders': { p95Ms: 300, p99Ms: 800, maxErrorRate: 0.01 },
    'GET /api/notifications': { p95Ms: 300, p99Ms: 800, maxErrorRate: 0.01 },
    'GET /api/analytics/dashboard': { p95Ms: 1000, p99Ms: 2500, maxErrorRate: 0.01 },
  },
  journeys: {
    browse: { p95Ms: 300, p99Ms: 800, maxErrorRate: 0.01 },
    search: { p95Ms: 400, p99Ms: 1000, maxErrorRate: 0.01 },
    'sign-in': { p95Ms: 1000, p99Ms: 2000, maxErrorRate: 0.01 },
    'checkout-and-pay': { p95Ms: 1000, p99Ms: 2500, maxErrorRate: 0.02 },
    'admin-dashboard': { p95Ms: 1000, p99Ms: 2500, maxErrorRate: 0.01 },
  },
} as const satisfies { endpoints: Record<string, Objective>; journeys: Record<string, Objective> };

export type EndpointName = keyof typeof SLO_SPEC.endpoints;
export type JourneyName = keyof typeof SLO_SPEC.journeys;

/** The objectives of a spec, checked: an objective that could never be judged is a mistake in the spec. */
export function checkSpec(spec: {
  endpoints: Record<string, Objective>;
  journeys: Record<string, Objective>;
}): string[] {
  const problems: string[] = [];
  for (const [kind, objectives] of Object.entries(spec)) {
    for (const [name, o] of Object.entries(objectives)) {
      const where = `${kind.slice(0, -1)} "${name}"`;
      if (!(o.p95Ms > 0) || !(o.p99Ms > 0)) problems.push(`${where}: latencies must be positive`);
      if (o.p99Ms < o.p95Ms) problems.push(`${where}: p99 (${o.p99Ms} ms) is below p95 (${o.p95Ms} ms)`);
      if (!(o.maxErrorRate >= 0 && o.maxErrorRate <= 1))
        problems.push(`${where}: maxErrorRate must be between 0 and 1, got ${o.maxErrorRate}`);
      if (o.p95Ms > ALERT_LEVELS.p95Ms || o.maxErrorRate > ALERT_LEVELS.errorRate)
        problems.push(`${where}: looser than the alert levels (p95 ${ALERT_LEVELS.p95Ms} ms, errors 5 %)`);
    }
  }
  return problems;
}

/**
 * The spec as k6 thresholds: per endpoint on the request's `name` tag, per journey on its `journey`
 * tag, plus the alert levels over all traffic. `abortOnFail` is left to the profile.
 */
export function k6Thresholds(spec = SLO_SPEC): Record<string, string[]> {
  const thresholds: Record<string, string[]> = {
    http_req_failed: [`rate<${ALERT_LEVELS.errorRate}`],
    http_req_duration: [`p(95)<${ALERT_LEVELS.p95Ms}`],
  };
  const add = (tag: string, name: string, o: Objective) => {
    thresholds[`http_req_duration{${tag}:${name}}`] = [`p(95)<${o.p95Ms}`, `p(99)<${o.p99Ms}`];
    thresholds[`http_req_failed{${tag}:${name}}`] = [`rate<${o.maxErrorRate}`];
  };
  for (const [name, o] of Object.entries(spec.endpoints)) add('name', name, o);
  for (const [name, o] of Object.entries(spec.journeys)) add('journey', name, o);
  return thresholds;
}

/** What a run measured for one endpoint or journey. */
export interface Measured {
  requests: number;
  errors: number;
  p95Ms: number;
  p99Ms: number;
}

export interface Verdict {
  subject: string;
  objective: Objective;
  measured: Measured;
  passed: boolean;
  /** Which objectives broke, in words. */
  broken: string[];
}

/** Judges measurements against the spec (the Node engine's gate); subjects without traffic are skipped. */
export function judge(
  measured: { endpoints: Record<string, Measured>; journeys: Record<string, Measured> },
  spec = SLO_SPEC,
): Verdict[] {
  const verdicts: Verdict[] = [];
  const check = (kind: string, name: string, objective: Objective, m: Measured | undefined) => {
    if (!m || m.requests === 0) return;
    const errorRate = m.errors / m.requests;
    const broken = [
      ...(m.p95Ms > objective.p95Ms ? [`p95 ${m.p95Ms.toFixed(0)} ms > ${objective.p95Ms} ms`] : []),
      ...(m.p99Ms > objective.p99Ms ? [`p99 ${m.p99Ms.toFixed(0)} ms > ${objective.p99Ms} ms`] : []),
      ...(errorRate > objective.maxErrorRate
        ? [`errors ${(errorRate * 100).toFixed(2)} % > ${(objective.maxErrorRate * 100).toFixed(2)} %`]
        : []),
    ];
    verdicts.push({
      subject: `${kind} ${name}`,
      objective,
      measured: m,
      passed: broken.length === 0,
      broken,
    });
  };
  for (const [name, o] of Object.entries(spec.endpoints))
    check('endpoint', name, o, measured.endpoints[name]);
  for (const [name, o] of Object.entries(spec.journeys)) check('journey', name, o, measured.journeys[name]);
  return verdicts;
}
