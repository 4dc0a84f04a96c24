// pnpm load:compare <summary> [--baseline …] — a run against its baseline; see `pnpm load:compare --help`.
import { runCli } from '@stackdrill/toolkit';
import { loadCompare } from '../loadtests/src/cli/compare-command.ts';

await runCli(() => loadCompare(process.argv.slice(2)));
