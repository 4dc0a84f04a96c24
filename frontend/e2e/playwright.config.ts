import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { chromiumPath, REPO_ROOT } from '@stackdrill/stack';

/**
 * The UI smoke suite. It drives whatever E2E_BASE_URL points at (set by `pnpm test:e2e`), in a
 * system Chromium: nothing is downloaded. Screenshots and traces of a failing test, the named
 * screenshots and the HTML report go to reports/e2e (CI keeps them as artefacts).
 */
const reports = join(REPO_ROOT, 'reports', 'e2e');

export default defineConfig({
  testDir: './tests',
  outputDir: join(reports, 'results'),
  // One shopper at a time: the journeys share the stack's stock and dashboard.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    ['html', { outputFolder: join(reports, 'html'), open: 'never' }],
    ['json', { outputFile: join(reports, 'results.json') }],
  ],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    extraHTTPHeaders: { 'x-synthetic-load': 'e2e-smoke' },
    launchOptions: {
      executablePath: chromiumPath(),
      // Headless and sandbox flags are Playwright's own; these keep Chromium off the network.
      args: [
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
});
