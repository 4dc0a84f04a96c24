import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';

/** The flags a command takes, in `node:util`'s `parseArgs` vocabulary. */
export type CliOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * Strict flag parsing: an unknown flag or a missing value is a UsageError that lists what is valid,
 * instead of being ignored.
 */
export function parseCli<O extends CliOptions>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    const valid = Object.entries(options)
      .map(([name, o]) => `--${name}${o.type === 'string' ? ' <value>' : ''}`)
      .join(', ');
    throw new UsageError(`${(error as Error).message.split('.')[0]}. Valid options: ${valid}`);
  }
}
