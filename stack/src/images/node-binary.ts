import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TOOLS } from '@stackdrill/toolkit';
import { cacheDir } from '../paths.ts';
import { PROJECT } from './project.ts';

/** Where scripts/run.mjs keeps a Node for this platform: `<cache>/node/<version>-<platform>-<arch>/bin/node`. */
export function cachedNodePath(version = PROJECT.node): string {
  return join(cacheDir(), 'node', `${version}-${process.platform}-${process.arch}`, 'bin', 'node');
}

/**
 * The pinned Node binary (package.json's `stackdrill.node`) for the app image: the one
 * scripts/run.mjs fetched (it does under a Node older than 22.22), else this process's own when it
 * is that version, else fetched as run.mjs does (npm's `node-<platform>-<arch>`, the official
 * build) into the same place, once.
 */
export async function pinnedNodeBinary(version = PROJECT.node): Promise<string> {
  const cached = cachedNodePath(version);
  if (existsSync(cached)) return cached;
  if (process.version === `v${version}`) return process.execPath;
  const name = `node-${process.platform}-${process.arch}@${version}`;
  const target = dirname(dirname(cached));
  await mkdir(dirname(target), { recursive: true });
  const work = await mkdtemp(`${target}.partial-`);
  const options = { timeoutMs: 10 * 60_000, component: 'image app' };
  try {
    const packed = await TOOLS.run('npm', ['pack', name, '--silent', '--pack-destination', work], {
      ...options,
      what: `fetching Node ${version} (${name}) from the npm registry`,
      hint: `the npm registry must be reachable this once (it is kept in ${dirname(target)})`,
    });
    const tarball = packed.stdout.trim().split('\n').pop() ?? '';
    await TOOLS.run('tar', ['-xzf', join(work, tarball), '-C', work, 'package/bin/node'], {
      ...options,
      what: `unpacking ${tarball}`,
    });
    await rename(join(work, 'package'), target); // in place at once, as run.mjs does
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return cached;
}
