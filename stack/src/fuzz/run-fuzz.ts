import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli, TOOLS, UsageError } from '@stackdrill/toolkit';
import { runDoctor } from '../doctor/doctor.ts';
import { schemathesisBin } from '../doctor/requirements.ts';
import { REPO_ROOT } from '../paths.ts';
import { SEED_ACCOUNTS } from '../seed/catalogue.ts';
import { resolveInstance } from '@stackdrill/facts';

const USAGE = `pnpm test:fuzz [--base-url URL] [--max-time SECONDS]
  Fuzzes the whole API through the gateway with schemathesis, generating requests from its merged
  OpenAPI document (/api/docs), as a customer and as the admin. Fails on any 5xx, any answer that
  does not conform to the document (status, content type, body), a valid request refused, an
  invalid one accepted, or when no order and no payment succeeded.
  --base-url names the gateway (default: this machine's \`pnpm stack:up\` one; it must be seeded:
  \`pnpm stack:seed\`); --max-time bounds the run (default 75 s). Reports: reports/fuzz/.`;

export interface FuzzResult {
  exitCode: number;
  passed: number;
  failed: number;
}

const HOOKS_DIR = dirname(fileURLToPath(import.meta.url));
const REPORTS = join(REPO_ROOT, 'reports', 'fuzz');
/** Below the test instance's 1,200 requests per IP and 600 per user a minute: 429s teach nothing. */
const RATE = '12/s';
/** What the run must have seen succeed: an order placed and one paid. */
const MUST_SUCCEED: Record<string, string> = { placeOrder: '201', payOrder: '200' };

type Tally = Record<string, Record<string, number>>;

export async function runFuzz(argv: string[]): Promise<FuzzResult> {
  const { values } = parseCli(argv, {
    'base-url': { type: 'string' },
    'max-time': { type: 'string', default: '75' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return { exitCode: 0, passed: 0, failed: 0 };
  }
  const dev = resolveInstance('dev');
  const baseUrl = (values['base-url'] ?? `http://${dev.host}:${dev.app.gateway.port}`).replace(/\/+$/, '');
  const maxTimeS = Number(values['max-time']);
  if (!/^https?:\/\//.test(baseUrl))
    throw new UsageError(`--base-url must be an absolute URL, got "${baseUrl}"`);
  if (!Number.isInteger(maxTimeS) || maxTimeS < 10 || maxTimeS > 600)
    throw new UsageError(`--max-time must be 10-600 seconds, got "${values['max-time']}"`);

  await runDoctor({ stack: false, fuzz: true });
  const tokens = await fuzzAccounts(baseUrl);
  await mkdir(REPORTS, { recursive: true });
  const tallyFile = join(REPORTS, 'tally.json');

  console.log(`fuzzing ${baseUrl}/api/docs for up to ${maxTimeS} s (schemathesis, ${RATE})`);
  const args = [
    'run',
    `${baseUrl}/api/docs`,
    '--checks',
    'all',
    '--max-time',
    String(maxTimeS),
    '--rate-limit',
    RATE,
    '--workers',
    '1',
    '--request-timeout',
    '10',
    '--output-truncate',
    'false',
    '--report',
    'junit',
    '--report-dir',
    REPORTS,
  ];
  const stCode = await TOOLS.attached(schemathesisBin(), args, {
    cwd: REPORTS,
    env: {
      ...process.env,
      SCHEMATHESIS_HOOKS: 'hooks',
      PYTHONDONTWRITEBYTECODE: '1', // no __pycache__ in the source tree
      PYTHONPATH: HOOKS_DIR,
      FUZZ_BASE_URL: baseUrl,
      FUZZ_CUSTOMER_TOKEN: tokens.customer,
      FUZZ_ADMIN_TOKEN: tokens.admin,
      FUZZ_TALLY: tallyFile,
    },
  });
  const tally = JSON.parse(await readFile(tallyFile, 'utf8').catch(() => '{}')) as Tally;
  console.log(`\nanswers per operation: ${summary(tally)}`);
  const missing = Object.entries(MUST_SUCCEED)
    .filter(([operation, status]) => !tally[operation]?.[status])
    .map(([operation, status]) => `${operation} never answered ${status}`);
  if (missing.length) console.log(`not covered: ${missing.join('; ')}`);
  const ok = stCode === 0 && missing.length === 0;
  return { exitCode: ok ? 0 : 1, passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
}

/** A fresh customer (registered now) and the seeded admin, signed in through the gateway. */
async function fuzzAccounts(baseUrl: string): Promise<{ customer: string; admin: string }> {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    }).catch((error: unknown) => {
      throw new UsageError(`nothing answers at ${baseUrl} (${(error as Error).message}); pass --base-url`);
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const signIn = async (email: string, password: string) => {
    const { status, body } = await post('/api/auth/token', { grant_type: 'password', email, password });
    if (status !== 200)
      throw new UsageError(
        `${email} cannot sign in at ${baseUrl} (${status}); seed it first: pnpm stack:seed`,
      );
    return String(body.access_token);
  };
  const email = `fuzz.${randomUUID().slice(0, 8)}@example.com`;
  const password = randomUUID();
  const registered = await post('/api/users', { email, password, name: 'Fuzz customer' });
  if (registered.status !== 201)
    throw new UsageError(`registering the fuzzing customer failed: ${JSON.stringify(registered.body)}`);
  return {
    customer: await signIn(email, password),
    admin: await signIn(SEED_ACCOUNTS.admin.email, SEED_ACCOUNTS.admin.password),
  };
}

function summary(tally: Tally): string {
  return Object.entries(tally)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, statuses]) => {
      const counts = Object.entries(statuses).map(([status, n]) => `${status}×${n}`);
      return `\n  ${operation.padEnd(28)} ${counts.join(' ')}`;
    })
    .join('');
}
