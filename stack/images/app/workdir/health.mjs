// The app image's HEALTHCHECK: the readiness of the member running here, on its port, as the
// harness probes it (members.json, rendered from the topology when the image was built).
import { readdirSync, readFileSync } from 'node:fs';

const members = JSON.parse(readFileSync('/app/members.json', 'utf8'));

/** The member a process of this container runs (PID 1, or its child under an init). */
function runningMember() {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      const name = /\/app\/services\/([a-z0-9-]+)\/src\/main\.ts\0/.exec(cmdline)?.[1];
      if (name && members[name]) return { name, ...members[name] };
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

const member = runningMember();
if (!member) {
  console.error('no member is running');
  process.exit(1);
}
const port = process.env[member.portEnv] || member.port;
const host = ['', '0.0.0.0', '::'].includes(process.env.HOST ?? '') ? '127.0.0.1' : process.env.HOST;
const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}${member.readiness}`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2500) });
  console.log(`${member.name}: ${url} answered ${response.status} ${await response.text()}`);
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`${member.name}: ${url}: ${error.message}`);
  process.exit(1);
}
