import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { UI_ASSETS_PATH, UI_CACHE_CONTROL } from './ui-caching.ts';

/**
 * Serves the built web UI from `dir` at `/`, as the architecture's static-file server would: hashed
 * assets cached for a year, `index.html` revalidated on every load, and any other GET for a page
 * (an `Accept: text/html` request outside `/api`) answered with `index.html` so client-side routes
 * survive a reload. API paths and non-page requests keep their JSON 404.
 */
export async function serveUi(app: FastifyInstance, dir: string): Promise<void> {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`UI_DIR ${dir} has no index.html: build the UI first (pnpm ui:build)`);
  }
  await app.register(fastifyStatic, {
    root: dir,
    wildcard: true,
    index: ['index.html'],
    cacheControl: false, // set below, per file
    setHeaders: (res, path) => {
      res.setHeader(
        'Cache-Control',
        path.includes(UI_ASSETS_PATH) ? UI_CACHE_CONTROL.assets : UI_CACHE_CONTROL.pages,
      );
    },
  });
}

/** True for a browser asking for a page (not an API call, not an asset): it gets the app shell. */
export function wantsAppShell(method: string, path: string, accept: string | undefined): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    !path.startsWith('/api/') &&
    path !== '/api' &&
    !path.startsWith(UI_ASSETS_PATH) &&
    (accept ?? '').includes('text/html')
  );
}
