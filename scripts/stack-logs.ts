// pnpm stack:logs — see `pnpm stack:logs --help`.
import { logs } from '@stackdrill/stack';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => logs(process.argv.slice(2)));
