// pnpm bench:engine — the Node load engine against wrk and hey: capacity, schedule accuracy, p50 agreement.
import { runCli } from '@stackdrill/toolkit';
import { benchEngine } from '../loadtests/src/bench/bench-engine.ts';

await runCli(() => benchEngine(process.argv.slice(2)));
