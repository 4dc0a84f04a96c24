import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../src/paths.ts';

/**
 * Brings up the `test` instance through the real CLI (fresh data, its own ports) before the
 * integration tests, and stops and deletes it afterwards.
 */
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
  if (cli('stack-up', '--fresh') !== 0)
    throw new Error('`stack:up --instance test --fresh` failed: see its output above');
}

export function teardown(): void {
  cli('stack-down', '--purge');
}
