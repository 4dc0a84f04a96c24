// k6 (≥ 0.57 runs TypeScript): the same journeys, profiles and SLOs as the Node engine, imported, not
// copied. `k6 run -e PROFILE=average -e BASE_URL=http://127.0.0.1:8080 loadtests/k6/shop.ts`
// (`pnpm load <profile> --engine k6` runs this with `--out csv=…` and makes our summary and report
// from k6's raw samples). Type-checked by the test suite with @types/k6.
import { sleep } from 'k6';
import crypto from 'k6/crypto';
import exec from 'k6/execution';
import http from 'k6/http';
import type { Options } from 'k6/options';
import { canRun, JOURNEYS, type Journey, type JourneyContext } from '../src/model/journeys.ts';
import { LOAD_KEY_ENV, LOAD_MARK_HEADER, loadMarker } from '../src/model/load-mark.ts';
import { journeyOf } from '../src/model/mix.ts';
import { withDuration } from '../src/engine/schedule.ts';
import { durationSeconds, isOpenModel, PROFILES, type ProfileName } from '../src/model/profiles.ts';
import { k6Thresholds, type JourneyName } from '../src/model/slo.ts';
import { fromK6Summary, type K6SummaryData } from '../src/model/summary.ts';

const PROFILE = (__ENV.PROFILE ?? 'smoke') as ProfileName;
const BASE_URL = (__ENV.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const CUSTOMERS = Number(__ENV.CUSTOMERS ?? 20);
const profile = PROFILES[PROFILE];
if (!profile) throw new Error(`unknown profile "${PROFILE}"; one of ${Object.keys(PROFILES).join(', ')}`);
// DURATION scales the profile's stages to that length, as `pnpm load --duration` does for the Node engine.
const scenario = __ENV.DURATION
  ? withDuration(profile.scenario, durationSeconds(__ENV.DURATION))
  : profile.scenario;

const thresholds = Object.fromEntries(
  Object.entries(k6Thresholds()).map(([metric, rules]) => [
    metric,
    'abortOnFail' in profile && profile.abortOnFail
      ? rules.map((threshold) => ({ threshold, abortOnFail: true, delayAbortEval: '30s' }))
      : rules,
  ]),
);

export const options: Options = {
  // Arrival rates are per second (timeUnit); VU executors take no timeUnit.
  scenarios: {
    [PROFILE]: isOpenModel(scenario)
      ? { ...scenario, timeUnit: '1s', exec: 'iteration' }
      : { ...scenario, exec: 'iteration' },
  },
  thresholds,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(95)', 'p(99)', 'count'],
};

// Every request says it is synthetic, so the system's own figures can leave it out; with the
// stack's load key (STACKDRILL_LOAD_KEY) it also carries the signed mark that the gateway counts
// apart from the per-IP limit.
const LOAD_KEY = __ENV[LOAD_KEY_ENV] ?? '';
const mark = LOAD_KEY
  ? loadMarker(LOAD_KEY, (key, message) => crypto.hmac('sha256', key, message, 'hex'))
  : undefined;
const synthetic = (): Record<string, string> => ({
  'x-synthetic-load': `k6:${PROFILE}`,
  ...(mark ? { [LOAD_MARK_HEADER]: mark(Date.now()) } : {}),
});

interface Accounts {
  customers: { email: string; password: string }[];
  admin: { email: string; password: string };
}

/** Customer accounts for the journeys that sign in (registered once per run), and the admin's. */
export function setup(): Accounts {
  const run = `${Date.now().toString(36)}`;
  const customers = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const account = { email: `load.${run}.${i}@example.com`, password: 'load-test-password' };
    const created = http.post(`${BASE_URL}/api/users`, JSON.stringify({ ...account, name: `Load ${i}` }), {
      headers: { 'content-type': 'application/json', ...synthetic() },
    });
    if (created.status !== 201)
      throw new Error(`registering a load customer failed: ${created.status} ${created.body}`);
    customers.push(account);
  }
  return {
    customers,
    admin: {
      email: __ENV.ADMIN_EMAIL ?? 'admin@stackdrill.local',
      password: __ENV.ADMIN_PASSWORD ?? 'stackdrill-admin',
    },
  };
}

const chooseJourney = (): Journey => JOURNEYS[journeyOf(profile.mix, Math.random()) as JourneyName];

export function iteration(accounts: Accounts): void {
  const journey = chooseJourney();
  const ctx: JourneyContext = { vars: {}, random: Math.random };
  const account =
    journey.actsAs === 'admin'
      ? accounts.admin
      : accounts.customers[exec.scenario.iterationInTest % accounts.customers.length];
  if (journey.actsAs && account) Object.assign(ctx.vars, account);
  if (journey.actsAs && !journey.steps.some((s) => s.endpoint === 'POST /api/auth/token')) {
    const token = http.post(
      `${BASE_URL}/api/auth/token`,
      JSON.stringify({ grant_type: 'password', ...account }),
      {
        headers: { 'content-type': 'application/json', ...synthetic() },
        // It counts for the endpoint, not for the journey, which starts once signed in.
        tags: { name: 'POST /api/auth/token' },
      },
    );
    ctx.vars.token = (token.json() as { access_token?: string }).access_token ?? '';
  }
  for (const step of journey.steps) {
    // A step made of an earlier answer does not run when that answer was a refusal (see Step.needs).
    if (!canRun(step, ctx)) return;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...synthetic() };
    if (step.auth) headers.authorization = `Bearer ${ctx.vars.token}`;
    if (step.idempotencyKey)
      headers['Idempotency-Key'] = `${exec.vu.idInTest}-${exec.scenario.iterationInTest}-${step.endpoint}`;
    const body = step.body ? JSON.stringify(step.body(ctx)) : null;
    const response = http.request(step.method, `${BASE_URL}${step.path(ctx)}`, body, {
      headers,
      tags: { name: step.endpoint, journey: journey.name },
      responseCallback: http.expectedStatuses(...step.expect),
    });
    if (!step.expect.includes(response.status)) return;
    if (step.extract) step.extract(response.json(), ctx);
    if (step.thinkMs) sleep((step.thinkMs[0] + Math.random() * (step.thinkMs[1] - step.thinkMs[0])) / 1000);
  }
}

export function handleSummary(data: K6SummaryData) {
  const summary = fromK6Summary(data, { profile: PROFILE, target: BASE_URL });
  const lines = summary.verdicts.map(
    (v) => `${v.passed ? 'ok  ' : 'FAIL'} ${v.subject} ${v.broken.join('; ')}`,
  );
  return {
    [__ENV.SUMMARY_FILE ?? `stackdrill-load-${PROFILE}.json`]: JSON.stringify(summary, null, 2),
    stdout: `${lines.join('\n')}\n${summary.passed ? 'every SLO met' : 'SLOs broken'}\n`,
  };
}
