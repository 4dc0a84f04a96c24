// pnpm test:fuzz — the fuzzing job against a running gateway; see `pnpm test:fuzz --help`.
import { runCli, runFuzz } from '@stackdrill/stack';

await runCli(async () => (await runFuzz(process.argv.slice(2))).exitCode);
