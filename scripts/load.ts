// pnpm load <profile> — load against the SLO spec; see `pnpm load --help`.
import { load } from '@stackdrill/loadtests/cli';
import { runCli } from '@stackdrill/toolkit';

await runCli(() => load(process.argv.slice(2)));
