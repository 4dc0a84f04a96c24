// pnpm stack:down — see `pnpm stack:down --help`.
import { down, runCli } from '@stackdrill/stack';

await runCli(() => down(process.argv.slice(2)));
