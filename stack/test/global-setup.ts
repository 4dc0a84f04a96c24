import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/paths.ts';

/**
 * Brings up the `test` instance through the real CLI (fresh data, its own ports) before the
 * integration tests, and stops and deletes it afterwards. `pnpm test` owns the instance itself
 * (the UI smoke suite runs on it afterwards) and says so with STACKDRILL_TEST_STACK=external.
 */
const external = process.env.STACKDRILL_TEST_STACK === 'external';
const cli = (command: string, ...args: string[]) => {
  const result = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'scripts', 'run.mjs'), command, '--instance', 'test', ...args],
    {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    },
  );
  return result.status;
};

export function setup(): void {
  if (external) return;
  if (cli('stack-up', '--fresh') !== 0)
    throw new Error('`stack:up --instance test --fresh` failed: see its output above');
}

export function teardown(): void {
  if (external) return;
  cli('stack-down', '--purge');
}
