import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../paths.ts';

/** The root package.json's facts the images use: the project's version (their tag) and its pinned Node. */
export const PROJECT: { version: string; node: string } = (() => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
    stackdrill: { node: string };
  };
  return { version: manifest.version, node: manifest.stackdrill.node };
})();
