// pnpm bench:data — the cost of every hot-path query at 1,000 and 100,000 documents, FerretDB as released and as patched.
import { benchData, runCli } from '@stackdrill/stack';

await runCli(() => benchData(process.argv.slice(2)));
