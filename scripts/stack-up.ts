// pnpm stack:up — see `pnpm stack:up --help`.
import { up, runCli } from '@stackdrill/stack';

await runCli(() => up(process.argv.slice(2)));
