import { readFile } from 'node:fs/promises';
import { loadConfig, renderEnvExample } from '@stackdrill/kit';
import { describe, expect, it } from 'vitest';
import { GATEWAY_CONFIG } from './config.ts';

describe('gateway config', () => {
  it('when the schema changes, then .env.example is regenerated with it (pnpm env:example)', async () => {
    const committed = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
    expect(committed).toBe(renderEnvExample('gateway', GATEWAY_CONFIG));
  });

  it('when LOAD_KEY is set, then it must be 32+ characters (a short key would make marks guessable); empty disables marks', () => {
    const required = { JWT_SECRET: 'j'.repeat(32), INTERNAL_API_KEY: 'i'.repeat(32) };
    expect(loadConfig('gateway', GATEWAY_CONFIG, required).loadKey).toBe('');
    expect(
      loadConfig('gateway', GATEWAY_CONFIG, { ...required, LOAD_KEY: 'k'.repeat(32) }).loadKey,
    ).toHaveLength(32);
    expect(() => loadConfig('gateway', GATEWAY_CONFIG, { ...required, LOAD_KEY: 'short' })).toThrow(
      /LOAD_KEY/,
    );
  });
});
