// pnpm stack:logs — see `pnpm stack:logs --help`.
import { logs, runCli } from '@stackdrill/stack';

await runCli(() => logs(process.argv.slice(2)));
