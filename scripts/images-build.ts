// pnpm images:build [--offline] — the stack's container images; see `pnpm images:build --help`.
import { images } from '@stackdrill/stack';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => images(process.argv.slice(2)));
