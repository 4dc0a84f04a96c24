// pnpm stack:up — see `pnpm stack:up --help`.
import { up } from '@stackdrill/stack';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => up(process.argv.slice(2)));
