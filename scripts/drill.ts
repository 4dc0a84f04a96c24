// pnpm drill <name> — DR drills: a fault under load, canaries, RTO, RPO and invariants; see `pnpm drill --help`.
import { drill } from '@stackdrill/dr-drills/cli';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => drill(process.argv.slice(2)));
