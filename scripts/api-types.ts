// pnpm api:types — writes the web UI's API types (frontend/src/api/openapi.ts) from the services'
// routes; the UI's named types (frontend/src/api/types.ts) are picked out of it.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { REPO_ROOT } from '@stackdrill/stack';
import { API_TYPES_FILE, renderApiTypes } from './lib/api-types.ts';

const file = join(REPO_ROOT, API_TYPES_FILE);
await writeFile(
  file,
  await format(await renderApiTypes(), { ...(await resolveConfig(file)), filepath: file }),
);
console.log(`wrote ${file}`);
