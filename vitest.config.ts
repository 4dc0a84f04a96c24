import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The services and clients a test runs in-process log here, not into the test output; a failing
// integration test prints the tail (stack/test/log-tail-on-failure.ts). The stack's own members
// log into their instance's files, as always.
process.env.LOG_FILE ??= join(
  dirname(fileURLToPath(import.meta.url)),
  'reports',
  'test-logs',
  'in-process.log',
);

/**
 * Two projects: `unit` (fast, beside the code, may fake what it does not test) and `integration`
 * (real processes: one `test` instance of the stack, on its own ports, brought up once per run by
 * the global setup and torn down at the end, so a developer's running stack is never touched).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'stack/**/*.test.ts',
            'scripts/**/*.test.ts',
            'services/**/*.test.ts',
            'loadtests/**/*.test.ts',
            'chaos/**/*.test.ts',
            'dr-drills/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          // The web UI's logic and components, in a simulated DOM.
          name: 'ui',
          include: ['frontend/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**', 'frontend/dist/**'],
          environment: 'jsdom',
          setupFiles: ['frontend/src/testing/setup.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'stack/**/*.int.test.ts',
            'services/**/*.int.test.ts',
            'loadtests/**/*.int.test.ts',
            'chaos/**/*.int.test.ts',
            'dr-drills/**/*.int.test.ts',
          ],
          globalSetup: ['stack/test/global-setup.ts'],
          setupFiles: ['stack/test/log-tail-on-failure.ts'],
          // One file at a time: they share the one test stack.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
