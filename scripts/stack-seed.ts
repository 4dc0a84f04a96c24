// pnpm stack:seed — demo catalogue, an admin and demo customers, through the running stack's API.
import { seed } from '@stackdrill/stack';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => seed(process.argv.slice(2)));
