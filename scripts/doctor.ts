// pnpm run doctor — checks and installs what the native provider needs; prints what it found and did.
import { doctorLine, runDoctor } from '@stackdrill/stack';
import { parseCli, runCli } from '@stackdrill/toolkit';

const USAGE = `pnpm run doctor [--check]   (\`pnpm doctor\` is pnpm's own command)
  Checks what the native provider needs (Redis, Java, the Kafka jars, FerretDB or a real mongod,
  Chromium for the UI smoke suite) and installs what is missing: Debian packages with apt-get, the
  Kafka jars from Maven Central, FerretDB built with Go. \`pnpm stack:up\` and the benches run it first.
  --check        report only; install nothing
  --containers   also what the containers provider needs: a container engine (Podman, set up for
                 this machine kind, where no Docker engine answers)`;

await runCli(async () => {
  const { values } = parseCli(process.argv.slice(2), {
    check: { type: 'boolean' },
    containers: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const tools = await runDoctor({
    install: !values.check,
    browser: true,
    containers: values.containers === true,
    onEvent: (e) => console.log(doctorLine(e)),
  });
  console.log(
    tools.mongod ? `mongo: real mongod (${tools.mongod})` : 'mongo: no mongod found, FerretDB stands in',
  );
});
