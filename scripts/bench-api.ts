// pnpm bench:api — the API's figures on the bench instance: gateway cost, cache-hit p95 at half saturation, orders.
import { benchApi, runCli } from '@stackdrill/stack';

await runCli(() => benchApi(process.argv.slice(2)));
