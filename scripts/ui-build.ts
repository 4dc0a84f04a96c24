// pnpm ui:build — the production build of the web UI, and its initial JavaScript against the budget.
import pc from 'picocolors';
import { buildUi, INITIAL_JS_BUDGET_BYTES } from '@stackdrill/frontend/build';
import { runCli } from '@stackdrill/toolkit';

await runCli(async () => {
  const { initialJsGzipBytes } = await buildUi();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const within = initialJsGzipBytes <= INITIAL_JS_BUDGET_BYTES;
  console.log(
    `initial JavaScript, gzipped: ${kb(initialJsGzipBytes)} (budget ${kb(INITIAL_JS_BUDGET_BYTES)}) ${within ? pc.green('within') : pc.red('OVER')}`,
  );
  return within ? 0 : 1;
});
