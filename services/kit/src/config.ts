import { z } from 'zod';
import { parseAddressMap } from '@stackdrill/facts';

/**
 * A config key: its environment variable, what it is for, how it is validated, its default. One
 * schema per service, validated at boot (a bad value stops the service with every problem listed)
 * and rendered into `.env.example`, so the docs and the code cannot drift apart.
 */
export interface ConfigKey<T extends z.ZodType = z.ZodType> {
  env: string;
  doc: string;
  schema: T;
  /** Raw default, as it would appear in the environment; omit for required keys. */
  default?: string;
  /** Never printed (the example shows a placeholder). */
  secret?: boolean;
}

export type ConfigSchema = Record<string, ConfigKey>;
export type ConfigValues<S extends ConfigSchema> = { [K in keyof S]: z.output<S[K]['schema']> };

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Common schemas for environment strings. */
export const env = {
  port: () => z.coerce.number().int().min(0).max(65535),
  int: (min = 0) => z.coerce.number().int().min(min),
  bool: () => z.enum(['true', 'false']).transform((v) => v === 'true'),
  string: () => z.string().min(1),
  url: () => z.url(),
  /** `from=host:port,...` (the facts' address-map.ts), or empty; checked at boot. */
  addressMap: () =>
    z.string().superRefine((text, ctx) => {
      try {
        parseAddressMap(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  enumOf: <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values),
};

export function loadConfig<S extends ConfigSchema>(
  service: string,
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): ConfigValues<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(schema)) {
    const raw = source[spec.env] ?? spec.default;
    if (raw === undefined) {
      problems.push(`${spec.env} is required (${spec.doc})`);
      continue;
    }
    const parsed = spec.schema.safeParse(raw);
    if (parsed.success) values[key] = parsed.data;
    else {
      const shown = spec.secret ? '<secret>' : JSON.stringify(raw);
      problems.push(`${spec.env}=${shown}: ${parsed.error.issues[0]?.message ?? 'invalid'} (${spec.doc})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(service, problems);
  return values as ConfigValues<S>;
}

/** The `.env.example` text: every key with its doc and default. */
export function renderEnvExample(service: string, schema: ConfigSchema): string {
  const lines = [
    `# ${service}: environment variables (generated from its config schema; do not edit by hand)`,
  ];
  for (const spec of Object.values(schema)) {
    lines.push('', `# ${spec.doc}${spec.default === undefined ? ' (required)' : ''}`);
    lines.push(`${spec.env}=${spec.secret ? '' : (spec.default ?? '')}`);
  }
  return `${lines.join('\n')}\n`;
}
