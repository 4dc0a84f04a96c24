// pnpm bench:stack — prints the foundation's figures (cold and warm start, stop, memory) against their targets.
import { runCli } from '@stackdrill/toolkit';
import { benchStack } from '@stackdrill/loadtests';

await runCli(() => benchStack(process.argv.slice(2)));
