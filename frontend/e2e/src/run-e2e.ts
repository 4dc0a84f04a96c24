import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openProvider, REPO_ROOT, requireInstance, runDoctor } from '@stackdrill/stack';
import { parseCli, TOOLS, UsageError } from '@stackdrill/toolkit';

const USAGE = `pnpm test:e2e [--base-url URL | --instance NAME] [--grep PATTERN]
  Runs the UI smoke suite (Playwright, headless system Chromium) against a running shop:
  --base-url (or E2E_BASE_URL) names it; the default is the web UI of an instance on this machine
  (--instance, default dev), on whichever provider it runs (the gateway natively, nginx on containers).
  The same suite gates a local stack, containers, kind or a real cluster. Reports, screenshots and
  traces of failures: reports/e2e/ (open reports/e2e/html/index.html).
  Accounts: E2E_ADMIN_EMAIL / E2E_ADMIN_PASSWORD (default: the local seed's admin).`;

export interface E2eResult {
  exitCode: number;
  passed: number;
  failed: number;
}

const CONFIG = join(dirname(fileURLToPath(import.meta.url)), '..', 'playwright.config.ts');
const RESULTS = join(REPO_ROOT, 'reports', 'e2e', 'results.json');

/** Says, before any browser starts, whether a shop answers at `baseUrl`: its page and its API. */
export async function probeShop(baseUrl: string): Promise<string | undefined> {
  const get = (path: string, accept: string) =>
    fetch(new URL(path, baseUrl), { headers: { accept }, signal: AbortSignal.timeout(5000) });
  try {
    const page = await get('/', 'text/html');
    if (!page.ok || !(page.headers.get('content-type') ?? '').includes('text/html')) {
      return `${baseUrl} answered GET / with ${page.status} ${page.headers.get('content-type') ?? ''}, not the shop's page`;
    }
    const api = await get('/api/products?limit=1', 'application/json');
    if (!api.ok) return `${baseUrl} answered GET /api/products with ${api.status}`;
    return undefined;
  } catch (error) {
    return `nothing answers at ${baseUrl} (${(error as Error).cause ? String((error as Error).cause) : (error as Error).message})`;
  }
}

export async function runE2e(argv: string[]): Promise<E2eResult> {
  const { values } = parseCli(argv, {
    'base-url': { type: 'string' },
    instance: { type: 'string' },
    grep: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    console.log(USAGE);
    return { exitCode: 0, passed: 0, failed: 0 };
  }
  if (values['base-url'] && values.instance)
    throw new UsageError('--base-url names the shop and --instance finds it: pass one of them');
  const instance = requireInstance(values.instance);
  // The instance's web UI where its provider serves it (the recorded provider, native for a new one).
  const baseUrl =
    values['base-url'] ??
    (values.instance ? undefined : process.env.E2E_BASE_URL) ??
    (await openProvider(instance)).endpoints('host').app.ui;
  try {
    new URL(baseUrl);
  } catch {
    throw new UsageError(
      `--base-url must be an absolute URL such as http://127.0.0.1:8080, got "${baseUrl}"`,
    );
  }
  await runDoctor({ stack: false, browser: true });
  const problem = await probeShop(baseUrl);
  if (problem) {
    throw new UsageError(
      `${problem}. Bring a stack up with \`pnpm stack:up${instance === 'dev' ? '' : ` --instance ${instance}`}\`, or pass --base-url.`,
    );
  }

  console.log(`UI smoke suite against ${baseUrl}`);
  const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
  const args = [cli, 'test', '--config', CONFIG, ...(values.grep ? ['--grep', values.grep] : [])];
  const exitCode = await TOOLS.attached(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, E2E_BASE_URL: baseUrl },
  });
  const stats = JSON.parse(await readFile(RESULTS, 'utf8').catch(() => '{}')) as {
    stats?: { expected?: number; unexpected?: number; flaky?: number };
  };
  return {
    exitCode,
    passed: (stats.stats?.expected ?? 0) + (stats.stats?.flaky ?? 0),
    failed: stats.stats?.unexpected ?? (exitCode === 0 ? 0 : 1),
  };
}
