// pnpm stack:status — see `pnpm stack:status --help`.
import { status } from '@stackdrill/stack';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => status(process.argv.slice(2)));
