import { readFile } from 'node:fs/promises';
import { renderEnvExample } from '@stackdrill/kit';
import { describe, expect, it } from 'vitest';
import { ANALYTICS_CONFIG } from './config.ts';

describe('analytics service config', () => {
  it('when the schema changes, then .env.example is regenerated with it (pnpm env:example)', async () => {
    const committed = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
    expect(committed).toBe(renderEnvExample('analytics', ANALYTICS_CONFIG));
  });
});
