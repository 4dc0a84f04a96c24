// pnpm chaos <fault> — failure injection with a guaranteed revert; see `pnpm chaos --help`.
import { chaos } from '@stackdrill/chaos/cli';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => chaos(process.argv.slice(2)));
