import { parseStackCommand, INSTANCE_CHOICES } from '../cli/args.ts';
import { renderStatus } from '../cli/format.ts';
import { openProvider } from '../providers/registry.ts';

const USAGE = `pnpm stack:status [--instance ${INSTANCE_CHOICES}] [--json]
  Every member with its role (from the component's own protocol), PID, port, health and uptime.
  Exits 1 when anything is unhealthy.`;

export async function status(argv: string[]): Promise<number> {
  const parsed = parseStackCommand(argv, USAGE, { json: { type: 'boolean', default: false } });
  if (!parsed) return 0;
  const { values, instance } = parsed;
  const provider = await openProvider(instance, parsed.provider);
  const components = await provider.status();
  const healthy = components.every((c) => c.healthy);
  if (values.json) {
    console.log(
      JSON.stringify(
        { instance, provider: provider.name, healthy, endpoints: provider.endpoints(), components },
        null,
        2,
      ),
    );
  } else {
    console.log(renderStatus(components));
    if (!healthy && !(await provider.isRunning())) {
      console.log(`\ninstance "${instance}" is not running: start it with \`pnpm stack:up\``);
    }
  }
  return healthy ? 0 : 1;
}
