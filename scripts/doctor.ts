// pnpm doctor — checks and installs what the native provider needs; prints what it found and did.
import pc from 'picocolors';
import { runCli, runDoctor } from '@stackdrill/stack';

await runCli(async () => {
  const install = !process.argv.includes('--check');
  const tools = await runDoctor({
    install,
    browser: true,
    onEvent: (e) => console.log(`${e.requirement.padEnd(14)} ${e.state.padEnd(10)} ${pc.dim(e.detail)}`),
  });
  console.log(
    tools.mongod ? `mongo: real mongod (${tools.mongod})` : 'mongo: no mongod found, FerretDB stands in',
  );
});
