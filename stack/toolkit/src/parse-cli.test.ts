import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.ts';
import { parseCli } from './parse-cli.ts';

describe('parseCli', () => {
  it('when a flag is unknown, then the error lists the valid ones', () => {
    const options = {
      instance: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      fresh: { type: 'boolean' },
    } as const;
    expect(() => parseCli(['--frsh'], options)).toThrow(UsageError);
    expect(() => parseCli(['--frsh'], options)).toThrow(
      /Unknown option '--frsh'.*Valid options: --instance <value>, --help, --fresh/,
    );
  });
});
