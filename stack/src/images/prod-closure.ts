import { readdir, readFile, readlink, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * What a set of workspace packages needs at run time, in pnpm's own layout: the workspace
 * packages they depend on (`dependencies`, never `devDependencies`) and the virtual-store entries
 * (`node_modules/.pnpm/<id>`) their dependencies live in, followed through each entry's sibling
 * links (pnpm puts a package's dependencies beside it). Paths are relative to `root`.
 */
export interface ProdClosure {
  /** Workspace package directories, e.g. `services/kit`, with their production dependency links. */
  packages: Map<string, { name: string; link: string }[]>;
  /** Virtual-store entries, e.g. `node_modules/.pnpm/zod@4.6.7`. */
  store: Set<string>;
}

const STORE = join('node_modules', '.pnpm');

/**
 * The closure of `packages` (workspace directories) and of `rootLinks` (names linked from the
 * root's node_modules, e.g. a runtime such as tsx that only the root depends on).
 */
export async function prodClosure(
  root: string,
  packages: string[],
  rootLinks: string[] = [],
): Promise<ProdClosure> {
  const closure: ProdClosure = { packages: new Map(), store: new Set() };

  /** Where a link under `from` leads: a store entry or a workspace package (relative to root). */
  const follow = async (link: string): Promise<void> => {
    const real = relative(root, await realpath(join(root, link)));
    if (real.startsWith(STORE + sep)) {
      // pnpm keeps every platform's optional packages (esbuild's binaries): only this one's run.
      if (!(await runsHere(join(root, real)))) return;
      return visitStore(real.split(sep).slice(0, 3).join(sep));
    }
    if (real.startsWith('..') || real.split(sep).includes('node_modules'))
      throw new Error(`${link} leads to ${real}, neither a workspace package nor pnpm's store`);
    return visitPackage(real);
  };

  const visitStore = async (entry: string): Promise<void> => {
    if (closure.store.has(entry)) return;
    closure.store.add(entry);
    for (const name of await linkedNames(join(root, entry, 'node_modules')))
      await follow(join(entry, 'node_modules', name)).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error; // a link to an optional package not installed here
      });
  };

  const visitPackage = async (dir: string): Promise<void> => {
    if (closure.packages.has(dir)) return;
    const manifest = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const names = Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies });
    const links: { name: string; link: string }[] = [];
    closure.packages.set(dir, links);
    for (const name of names) {
      const at = join(dir, 'node_modules', name);
      const link = await readlink(join(root, at)).catch(() => undefined);
      if (link === undefined) continue; // an optional dependency not installed on this platform
      links.push({ name, link });
      await follow(at);
    }
  };

  for (const dir of packages) await visitPackage(dir);
  for (const name of rootLinks) await follow(join('node_modules', name));
  return closure;
}

/** The names in a node_modules directory, scoped ones as `@scope/name`; dot entries skipped. */
async function linkedNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(dir).catch(() => [])) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@'))
      for (const scoped of await readdir(join(dir, entry))) names.push(`${entry}/${scoped}`);
    else names.push(entry);
  }
  return names;
}

/** Whether a package's `os` and `cpu` fields (npm's, with `!` to exclude) allow this machine. */
async function runsHere(dir: string): Promise<boolean> {
  const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
    os?: string[];
    cpu?: string[];
  };
  return allows(manifest.os, process.platform) && allows(manifest.cpu, process.arch);
}

export function allows(field: string[] | undefined, value: string): boolean {
  if (!field?.length) return true;
  if (field.includes(`!${value}`)) return false;
  const wanted = field.filter((v) => !v.startsWith('!'));
  return wanted.length === 0 || wanted.includes(value);
}
