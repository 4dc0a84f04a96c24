// pnpm stack:seed — demo catalogue, an admin and demo customers, through the running stack's API.
import { runCli, seed } from '@stackdrill/stack';

await runCli(() => seed(process.argv.slice(2)));
