import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathExists, TOOLS } from '@stackdrill/toolkit';
import { cacheDir, REPO_ROOT } from '../paths.ts';
import { placeTree } from './link-tree.ts';

/** Bump when what goes into the archive changes (the files left out, tar's options). */
const FORMAT = 2;

/** Files no member reads at run time: type declarations, source maps, documentation (licences stay). */
export const unusedAtRunTime = (name: string): boolean =>
  /\.(d\.[cm]?ts|map)$/.test(name) || (/\.md$/i.test(name) && !/^licen[cs]e/i.test(name));

/**
 * The root node_modules an image needs, as one tar: the virtual-store `entries` (pnpm's symlinked
 * layout kept) and the root's links to `rootLinks`, and a key that names its content. It is made
 * once per set of dependencies and kept in the cache: a store entry's name is its version (and
 * patch), and pnpm makes its directory anew when it replaces it, so names and times stand for the
 * content. The image unpacks it in a RUN step keyed by `key`: the engine never hashes its 6,000
 * files (that alone took 4 s of every rebuild).
 */
export async function dependencyArchive(
  entries: Iterable<string>,
  rootLinks: string[],
): Promise<{ path: string; key: string }> {
  const sorted = [...entries].sort();
  const stamps = await Promise.all(
    sorted.map(async (e) => `${e} ${(await stat(join(REPO_ROOT, e))).mtimeMs}`),
  );
  const links = await Promise.all(
    rootLinks.map(async (name) => `${name} ${await readlink(join(REPO_ROOT, 'node_modules', name))}`),
  );
  const key = createHash('sha256')
    .update(JSON.stringify([FORMAT, links, stamps]))
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheDir(), 'images');
  const archive = join(dir, `app-dependencies-${key}.tar`);
  if (await pathExists(archive)) return { path: archive, key };

  await mkdir(dir, { recursive: true });
  const tree = await mkdtemp(join(dir, 'making-app-dependencies-'));
  try {
    await Promise.all([
      ...sorted.map((e) => placeTree(join(REPO_ROOT, e), join(tree, e), (name) => !unusedAtRunTime(name))),
      ...rootLinks.map(async (name) => {
        const at = join(tree, 'node_modules', name);
        await mkdir(dirname(at), { recursive: true });
        await symlink(await readlink(join(REPO_ROOT, 'node_modules', name)), at);
      }),
    ]);
    const partial = `${tree}.tar`;
    const deterministic = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner'];
    await TOOLS.run('tar', ['-c', '-f', partial, ...deterministic, '-C', tree, 'node_modules'], {
      timeoutMs: 5 * 60_000,
      what: 'archiving the app’s node_modules',
      component: 'image app',
    });
    await rename(partial, archive);
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
  // Only the newest is kept: an older one is for dependencies this checkout no longer has.
  for (const old of await readdir(dir))
    if (/^app-dependencies-[0-9a-f]{16}\.tar$/.test(old) && join(dir, old) !== archive)
      await rm(join(dir, old), { force: true });
  return { path: archive, key };
}
