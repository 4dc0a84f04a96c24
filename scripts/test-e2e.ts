// pnpm test:e2e — the UI smoke suite against a running shop; see `pnpm test:e2e --help`.
import { runE2e } from '@stackdrill/e2e';
import { runCli } from '@stackdrill/toolkit';

await runCli(async () => (await runE2e(process.argv.slice(2))).exitCode);
