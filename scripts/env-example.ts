// pnpm env:example — writes every service's .env.example from its config schema (the one source of
// the variables, their defaults and docs); a unit test per service fails when one is out of date.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderEnvExample } from '@stackdrill/kit';
import { REPO_ROOT } from '@stackdrill/stack';
import { APP_CONFIGS } from '../services/app-configs.ts';

for (const [service, schema] of Object.entries(APP_CONFIGS)) {
  const file = join(REPO_ROOT, 'services', service, '.env.example');
  await writeFile(file, renderEnvExample(service, schema));
  console.log(`wrote ${file}`);
}
