import { copyFile, link, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Puts a file into a build context as a hard link (instant, and the engine reads the same bytes),
 * or a copy where the context is on another filesystem. The engine only reads the context.
 */
export async function placeFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await link(from, to).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EXDEV' && error.code !== 'EPERM') throw error;
    return copyFile(from, to);
  });
}

/**
 * Mirrors the tree `from` at `to`: files placed as `placeFile` does, symlinks kept verbatim (pnpm's
 * layout is relative links, and must stay so), entries `keep` refuses left out.
 */
export async function placeTree(
  from: string,
  to: string,
  keep: (name: string, isDirectory: boolean) => boolean = () => true,
): Promise<void> {
  await mkdir(to, { recursive: true });
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries
      .filter((e) => keep(e.name, e.isDirectory()))
      .map(async (e) => {
        const source = join(from, e.name);
        const target = join(to, e.name);
        if (e.isSymbolicLink()) await symlink(await readlink(source), target);
        else if (e.isDirectory()) await placeTree(source, target, keep);
        else if (e.isFile()) await placeFile(source, target);
      }),
  );
}
