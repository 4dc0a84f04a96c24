// pnpm stack:status — see `pnpm stack:status --help`.
import { status, runCli } from '@stackdrill/stack';

await runCli(() => status(process.argv.slice(2)));
