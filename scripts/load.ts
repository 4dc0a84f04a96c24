// pnpm load <profile> — load against the SLO spec; see `pnpm load --help`. `--chaos` runs a chaos
// experiment's method beside it (wired here, on top, so the load engine does not depend on chaos).
import { chaosBesideLoad } from '@stackdrill/chaos';
import { load } from '@stackdrill/loadtests/cli';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => load(process.argv.slice(2), { chaos: chaosBesideLoad }));
