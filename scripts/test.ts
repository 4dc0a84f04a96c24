// pnpm test — the whole suite, as CI runs it: install what is missing, lint, type-check, then unit,
// UI component and integration tests, the UI smoke suite and the fuzzing job, against one `test`
// instance of the stack on its own ports (a developer's running stack is never touched); then the
// provider contract, the whole flow, a network fault and a drill again on the containers provider.
import { readFile } from 'node:fs/promises';
import pc from 'picocolors';
import { $ } from 'zx';
import { runE2e } from '@stackdrill/e2e';
import { doctorLine, openProvider, REPO_ROOT, resolveInstance, runDoctor, runFuzz } from '@stackdrill/stack';
import { runCli, seconds } from '@stackdrill/toolkit';

/** The tests that run again on the containers provider, as a `-t` filter over these files. */
const CONTAINERS_TESTS = {
  files: [
    'stack/src/providers/provider-contract.int.test.ts',
    'services/gateway/src/whole-flow.int.test.ts',
    'chaos/src/faults/network-faults.int.test.ts',
    'dr-drills/src/drills.int.test.ts',
    'stack/src/providers/containers/containers-provider.int.test.ts',
  ],
  names:
    'provider contract|from nothing and back|running stack|the whole flow|MongoDB is partitioned from the app|the Redis master is killed',
};

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
  const onContainers = await containersLeg(step);
  const passed = (results.numPassedTests ?? 0) + e2e.passed + fuzz.passed + onContainers.passed;
  const failed = (results.numFailedTests ?? 0) + e2e.failed + fuzz.failed + onContainers.failed;
  console.log(pc.bold(`\nwhole suite finished in ${seconds(Date.now() - t0)}`));
  // A plain closing line that any CI can read.
  console.log(`${passed} passed, ${failed} failed, ${results.numPendingTests ?? 0} skipped`);
  return vitestCode === 0 &&
    e2e.exitCode === 0 &&
    fuzz.exitCode === 0 &&
    onContainers.exitCode === 0 &&
    failed === 0 &&
    passed > 0
    ? 0
    : 1;
});

/**
 * The containers provider on this machine's engine (Podman, set up by the doctor) with the offline
 * images: the `test-containers` stack from nothing, the provider contract, the whole flow through
 * its gateway, a network fault and the Redis failover drill, the UI smoke suite against its web UI
 * on nginx, then `stack:down --keep` (nothing runs; its containers and volumes stay) and `stack:down`,
 * after which nothing of it may be left (two more checks in the count).
 */
async function containersLeg(step: (title: string) => void) {
  const instance = 'test-containers';
  const cli = (command: string, ...args: string[]) =>
    inherit`node scripts/run.mjs ${command} --instance ${instance} ${args}`;
  const outcome = { exitCode: 1, passed: 0, failed: 0 };
  step('containers provider: the offline images (the engine’s layer cache makes a rebuild a check)');
  if ((await inherit`node scripts/run.mjs images-build --offline`).exitCode !== 0) return outcome;
  step(`containers provider: the ${instance} stack up (fresh)`);
  try {
    if ((await cli('stack-up', '--provider', 'containers', '--fresh', '--images', 'offline')).exitCode !== 0)
      return outcome;
    step('tests: the provider contract, the whole flow, a network fault and a drill, on containers');
    const report = 'reports/vitest-containers.json';
    const vitest = await $({
      stdio: 'inherit',
      nothrow: true,
      env: { ...process.env, STACKDRILL_TEST_STACK: 'external', STACKDRILL_TEST_INSTANCE: instance },
    })`pnpm -s vitest run --project integration --reporter=default --reporter=json --outputFile.json=${report} -t ${CONTAINERS_TESTS.names} ${CONTAINERS_TESTS.files}`;
    const results = JSON.parse(await readFile(report, 'utf8').catch(() => '{}')) as {
      numPassedTests?: number;
      numFailedTests?: number;
    };
    step(
      'tests: the UI smoke suite (Playwright) against the web UI on nginx, the API through to the gateway',
    );
    // Found by its instance, as a person runs it: the shop is where the provider serves the web UI.
    const e2e = await runE2e(['--instance', instance]);
    outcome.exitCode = vitest.exitCode === 0 && e2e.exitCode === 0 ? 0 : 1;
    outcome.passed = (results.numPassedTests ?? 0) + e2e.passed;
    outcome.failed = (results.numFailedTests ?? 0) + e2e.failed;
  } finally {
    const check = (ok: boolean, said: string) => {
      if (ok) outcome.passed += 1;
      else {
        outcome.failed += 1;
        outcome.exitCode = 1;
      }
      console.log(ok ? `  ${said}` : pc.red(`  not so: ${said}`));
    };
    const provider = await openProvider(instance, 'containers');
    step(`containers provider: ${instance} down --keep (the stopped containers and volumes stay)`);
    await cli('stack-down', '--keep');
    const kept = await provider.leftovers();
    check(
      !(await provider.isRunning()) &&
        kept.some((left) => left.startsWith('container ')) &&
        kept.some((left) => left.startsWith('volume ')),
      `nothing runs, and its containers and volumes are kept (${kept.length} things)`,
    );
    step(`containers provider: ${instance} down`);
    await cli('stack-down');
    const left = await provider.leftovers();
    check(
      left.length === 0,
      `nothing of it is left (no container, network, volume or file)${left.length ? `: ${left.join(', ')}` : ''}`,
    );
  }
  return outcome;
}
