// pnpm test:fuzz — the fuzzing job against a running gateway; see `pnpm test:fuzz --help`.
import { runFuzz } from '@stackdrill/stack';
import { runCli } from '@stackdrill/toolkit';

await runCli(async () => (await runFuzz(process.argv.slice(2))).exitCode);
