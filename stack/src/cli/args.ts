import { parseCli, UsageError, type CliOptions } from '@stackdrill/toolkit';
import { recordedProvider, requireProvider } from '../providers/registry.ts';
import { isInstanceName, INSTANCES, type InstanceName } from '@stackdrill/facts';

/** Options every stack command takes. */
export const COMMON_OPTIONS = {
  provider: { type: 'string' },
  instance: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies CliOptions;

/**
 * The preamble of every stack command: strict flags (common ones included), `--help` prints the
 * usage (and returns undefined), the provider and instance are validated.
 */
export function parseStackCommand<O extends CliOptions>(
  argv: string[],
  usage: string,
  options: O,
  allowPositionals = false,
) {
  const parsed = parseCli(argv, { ...COMMON_OPTIONS, ...options }, allowPositionals);
  const common = parsed.values as { help?: boolean; provider?: string; instance?: string };
  if (common.help) {
    console.log(usage);
    return undefined;
  }
  return {
    ...parsed,
    // Unsaid: the provider the instance belongs to (native for a new one).
    provider:
      common.provider === undefined
        ? recordedProvider(requireInstance(common.instance))
        : requireProvider(common.provider),
    instance: requireInstance(common.instance),
  };
}

/** The instances as a usage line lists them: `dev|test|…`, from the facts. */
export const INSTANCE_CHOICES = Object.keys(INSTANCES).join('|');

/** The instance from --instance, else STACKDRILL_INSTANCE, else `dev`. */
export function requireInstance(flag: string | undefined): InstanceName {
  const name = flag ?? process.env.STACKDRILL_INSTANCE ?? 'dev';
  if (isInstanceName(name)) return name;
  throw new UsageError(`unknown instance "${name}". Instances: ${Object.keys(INSTANCES).join(', ')}`);
}
