// pnpm bench:api — the API's figures on the bench instance: gateway cost, cache-hit p95 at half saturation, orders.
import { runCli } from '@stackdrill/toolkit';
import { benchApi } from '@stackdrill/loadtests';

await runCli(() => benchApi(process.argv.slice(2)));
