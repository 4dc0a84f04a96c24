// pnpm bench:stack — prints the foundation's figures (cold and warm start, stop, memory) against their targets.
import { benchStack, runCli } from '@stackdrill/stack';

await runCli(() => benchStack(process.argv.slice(2)));
