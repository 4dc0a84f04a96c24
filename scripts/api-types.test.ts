import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { REPO_ROOT } from '@stackdrill/stack';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, renderApiTypes } from './lib/api-types.ts';

describe("the web UI's API types", () => {
  it('when the services change a route, then the committed types are regenerated with them (pnpm api:types)', async () => {
    const file = join(REPO_ROOT, API_TYPES_FILE);
    const committed = await readFile(file, 'utf8');
    expect(committed, 'run `pnpm api:types`').toBe(
      await format(await renderApiTypes(), { ...(await resolveConfig(file)), filepath: file }),
    );
  });
});
