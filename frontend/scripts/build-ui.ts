import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UI_DIST, UI_ROOT } from '../ui-paths.ts';

/** The production bundle's budget: initial JavaScript, gzipped (issue #4). */
export const INITIAL_JS_BUDGET_BYTES = 200 * 1024;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

/**
 * What a first visit downloads before the page runs: the entry chunk and every chunk it imports
 * statically, gzipped (lazy chunks such as the dashboard's charts are not initial).
 */
export async function initialJsGzipBytes(dist = UI_DIST): Promise<number> {
  const manifest = JSON.parse(await readFile(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key) || !manifest[key]) return;
    seen.add(key);
    for (const imported of manifest[key].imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  let total = 0;
  for (const key of seen) total += gzipSync(await readFile(join(dist, manifest[key]!.file))).length;
  return total;
}

/** The production build (Vite), then its initial JavaScript size. */
export async function buildUi(options: { quiet?: boolean } = {}): Promise<{ initialJsGzipBytes: number }> {
  const { build } = await import('vite');
  await build({
    root: UI_ROOT,
    logLevel: options.quiet ? 'warn' : 'info',
  });
  return { initialJsGzipBytes: await initialJsGzipBytes() };
}

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((e) => newestMtime(join(path, e))));
  return Math.max(info.mtimeMs, ...times);
}

/** True when the build is there and newer than every source it was made from. */
export async function uiBuildIsCurrent(): Promise<boolean> {
  const built = await stat(join(UI_DIST, 'index.html')).catch(() => undefined);
  if (!built) return false;
  const sources = await Promise.all(
    ['src', 'public', 'index.html', 'vite.config.ts', 'ui-paths.ts', 'package.json'].map((p) =>
      newestMtime(join(UI_ROOT, p)),
    ),
  );
  return built.mtimeMs >= Math.max(...sources);
}
