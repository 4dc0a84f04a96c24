// pnpm bench:data — the cost of every hot-path query at 1,000 and 100,000 documents, FerretDB as released and as patched.
import { runCli } from '@stackdrill/toolkit';
import { benchData } from '@stackdrill/loadtests';

await runCli(() => benchData(process.argv.slice(2)));
