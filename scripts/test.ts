// pnpm test — the whole suite, as CI runs it: install what is missing, lint, type-check, then unit,
// UI component and integration tests, the UI smoke suite and the fuzzing job, against one `test`
// instance of the stack on its own ports (a developer's running stack is never touched).
import { readFile } from 'node:fs/promises';
import pc from 'picocolors';
import { $ } from 'zx';
import { runE2e } from '@stackdrill/e2e';
import { doctorLine, REPO_ROOT, resolveInstance, runDoctor, runFuzz } from '@stackdrill/stack';
import { runCli, seconds } from '@stackdrill/toolkit';

$.cwd = REPO_ROOT;
$.verbose = false;
const inherit = $({ stdio: 'inherit', nothrow: true });

await runCli(async () => {
  const t0 = Date.now();
  const step = (title: string) => console.log(pc.bold(`\n== ${title} (${seconds(Date.now() - t0)})`));

  step('doctor: system dependencies');
  await runDoctor({
    browser: true,
    fuzz: true,
    onEvent: (e) => console.log(`  ${doctorLine(e)}`),
  });

  step('lint: eslint + prettier + the package graph');
  if ((await inherit`pnpm -s eslint .`).exitCode !== 0) return 1;
  if ((await inherit`pnpm -s prettier --check --log-level warn .`).exitCode !== 0) return 1;
  if ((await inherit`pnpm -s lint:deps`).exitCode !== 0) return 1;

  step('typecheck: tsc --noEmit (Node code, the web UI, the UI smoke suite, the k6 scripts)');
  if ((await inherit`pnpm -s tsc -p tsconfig.json --noEmit`).exitCode !== 0) return 1;
  if ((await inherit`pnpm -s tsc -p frontend/tsconfig.json`).exitCode !== 0) return 1;
  if ((await inherit`pnpm -s tsc -p frontend/e2e/tsconfig.json --noEmit`).exitCode !== 0) return 1;
  // k6 cannot run on this machine: its scripts are type-checked against @types/k6 instead.
  if ((await inherit`pnpm -s tsc -p loadtests/k6/tsconfig.json --noEmit`).exitCode !== 0) return 1;

  // One `test` instance for the integration tests and then the UI smoke suite (its first up seeds it).
  step('test stack: up (fresh, its own ports)');
  const cli = (command: string, ...args: string[]) =>
    inherit`node scripts/run.mjs ${command} --instance test ${args}`;
  if ((await cli('stack-up', '--fresh')).exitCode !== 0) return 1;
  let results: { numPassedTests?: number; numFailedTests?: number; numPendingTests?: number } = {};
  let vitestCode = 1;
  let e2e = { exitCode: 1, passed: 0, failed: 0 };
  let fuzz = { exitCode: 1, passed: 0, failed: 0 };
  try {
    step('tests: vitest (unit, UI components, then integration against the test stack)');
    const report = 'reports/vitest.json';
    const vitest = await $({
      stdio: 'inherit',
      nothrow: true,
      env: { ...process.env, STACKDRILL_TEST_STACK: 'external' },
    })`pnpm -s vitest run --reporter=default --reporter=json --outputFile.json=${report}`;
    vitestCode = vitest.exitCode ?? 1;
    results = JSON.parse(await readFile(report, 'utf8').catch(() => '{}')) as typeof results;

    step('tests: the UI smoke suite (Playwright, headless Chromium) against the test stack');
    const gateway = resolveInstance('test');
    const gatewayUrl = `http://${gateway.host}:${gateway.app.gateway.port}`;
    e2e = await runE2e(['--base-url', gatewayUrl]);

    // Last: its orders and products must not change what the smoke suite sees. One check in the count.
    step('tests: the fuzzing job (schemathesis over /api/docs) against the test stack');
    fuzz = await runFuzz(['--base-url', gatewayUrl]);
  } finally {
    step('test stack: down');
    await cli('stack-down', '--purge');
  }
  const passed = (results.numPassedTests ?? 0) + e2e.passed + fuzz.passed;
  const failed = (results.numFailedTests ?? 0) + e2e.failed + fuzz.failed;
  console.log(pc.bold(`\nwhole suite finished in ${seconds(Date.now() - t0)}`));
  // A plain closing line that any CI can read.
  console.log(`${passed} passed, ${failed} failed, ${results.numPendingTests ?? 0} skipped`);
  return vitestCode === 0 && e2e.exitCode === 0 && fuzz.exitCode === 0 && failed === 0 && passed > 0 ? 0 : 1;
});
