// pnpm test — the whole suite, as CI runs it: install what is missing, lint, type-check, then unit
// and integration tests (the integration tests bring up their own stack on separate ports).
import { readFile } from 'node:fs/promises';
import pc from 'picocolors';
import { $ } from 'zx';
import { REPO_ROOT, runCli, runDoctor, seconds } from '@stackdrill/stack';

$.cwd = REPO_ROOT;
$.verbose = false;
const inherit = $({ stdio: 'inherit', nothrow: true });

await runCli(async () => {
  const t0 = Date.now();
  const step = (title: string) => console.log(pc.bold(`\n== ${title} (${seconds(Date.now() - t0)})`));

  step('doctor: system dependencies');
  await runDoctor({
    browser: true,
    onEvent: (e) => console.log(`  ${e.requirement.padEnd(12)} ${e.state.padEnd(10)} ${pc.dim(e.detail)}`),
  });

  step('lint: eslint + prettier');
  if ((await inherit`pnpm -s eslint .`).exitCode !== 0) return 1;
  if ((await inherit`pnpm -s prettier --check --log-level warn .`).exitCode !== 0) return 1;

  step('typecheck: tsc --noEmit (Node code, then the web UI)');
  if ((await inherit`pnpm -s tsc -p tsconfig.json --noEmit`).exitCode !== 0) return 1;
  if ((await inherit`pnpm -s tsc -p frontend/tsconfig.json`).exitCode !== 0) return 1;

  step('tests: vitest (unit, UI components, then integration against a real stack)');
  const report = 'reports/vitest.json';
  const vitest =
    await inherit`pnpm -s vitest run --reporter=default --reporter=json --outputFile.json=${report}`;
  const results = JSON.parse(await readFile(report, 'utf8').catch(() => '{}')) as {
    numPassedTests?: number;
    numFailedTests?: number;
    numPendingTests?: number;
  };
  const passed = results.numPassedTests ?? 0;
  const failed = results.numFailedTests ?? 0;
  console.log(pc.bold(`\nwhole suite finished in ${seconds(Date.now() - t0)}`));
  // A plain closing line that any CI can read.
  console.log(`${passed} passed, ${failed} failed, ${results.numPendingTests ?? 0} skipped`);
  return vitest.exitCode === 0 && failed === 0 && passed > 0 ? 0 : 1;
});
