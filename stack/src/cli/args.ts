import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.ts';
import { requireProvider } from '../providers/registry.ts';
import { isInstanceName, INSTANCES, type InstanceName } from '@stackdrill/facts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every stack command takes. */
export const COMMON_OPTIONS = {
  provider: { type: 'string', default: 'native' },
  instance: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies Options;

/**
 * Strict flag parsing: an unknown flag or a missing value is a UsageError that lists what is valid,
 * instead of being ignored.
 */
export function parseCli<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    const valid = Object.entries(options)
      .map(([name, o]) => `--${name}${o.type === 'string' ? ' <value>' : ''}`)
      .join(', ');
    throw new UsageError(`${(error as Error).message.split('.')[0]}. Valid options: ${valid}`);
  }
}

/**
 * The preamble of every stack command: strict flags (common ones included), `--help` prints the
 * usage (and returns undefined), the provider and instance are validated.
 */
export function parseStackCommand<O extends Options>(
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
    provider: requireProvider(common.provider ?? 'native'),
    instance: requireInstance(common.instance),
  };
}

/** The instance from --instance, else STACKDRILL_INSTANCE, else `dev`. */
export function requireInstance(flag: string | undefined): InstanceName {
  const name = flag ?? process.env.STACKDRILL_INSTANCE ?? 'dev';
  if (isInstanceName(name)) return name;
  throw new UsageError(`unknown instance "${name}". Instances: ${Object.keys(INSTANCES).join(', ')}`);
}
