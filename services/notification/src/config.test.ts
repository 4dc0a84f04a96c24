import { readFile } from 'node:fs/promises';
import { renderEnvExample } from '@stackdrill/kit';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_CONFIG } from './config.ts';

describe('notification service config', () => {
  it('when the schema changes, then .env.example is regenerated with it (pnpm env:example)', async () => {
    const committed = await readFile(new URL('../.env.example', import.meta.url), 'utf8');
    expect(committed).toBe(renderEnvExample('notification', NOTIFICATION_CONFIG));
  });
});
