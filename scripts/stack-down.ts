// pnpm stack:down — see `pnpm stack:down --help`.
import { down } from '@stackdrill/stack';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => down(process.argv.slice(2)));
