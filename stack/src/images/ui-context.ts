import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UI_DIST } from '@stackdrill/frontend/paths';
import { StackError } from '@stackdrill/toolkit';
import { GATEWAY_SECURITY_HEADERS } from '../../../services/gateway/src/security-headers.ts';
import { UI_ASSETS_PATH, UI_CACHE_CONTROL } from '../../../services/gateway/src/ui-caching.ts';
import { placeTree } from './link-tree.ts';
import { renderUiNginxConf } from './ui-nginx.ts';

/** Where the UI image keeps the build (its Dockerfile copies dist/ there). */
const UI_ROOT_IN_IMAGE = '/srv/ui';

/**
 * The UI image's build context: the production build (made first when its sources are newer, as
 * `stack:up` does), without Vite's manifest (the gateway does not serve dot files either), and
 * nginx's configuration rendered from the gateway's security headers and caching.
 */
export async function assembleUiContext(dir: string): Promise<void> {
  const { buildUi, uiBuildIsCurrent } = await import('@stackdrill/frontend/build');
  if (!(await uiBuildIsCurrent()))
    await buildUi({ quiet: true }).catch((error: unknown) => {
      throw new StackError({
        component: 'image ui',
        message: `the web UI did not build: ${(error as Error).message}`,
        hint: 'run `pnpm ui:build` to see the whole error',
      });
    });
  await Promise.all([
    placeTree(UI_DIST, join(dir, 'dist'), (name) => !name.startsWith('.')),
    writeFile(
      join(dir, 'nginx.conf.template'),
      renderUiNginxConf({
        headers: GATEWAY_SECURITY_HEADERS,
        cacheControl: UI_CACHE_CONTROL,
        assetsPath: UI_ASSETS_PATH,
        root: UI_ROOT_IN_IMAGE,
      }),
    ),
  ]);
}
