import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../paths.ts';
import { IMAGES, PUBLIC_BASE } from './build-images.ts';

const dockerfile = (dir: string) => readFile(join(REPO_ROOT, 'stack', 'images', dir, 'Dockerfile'), 'utf8');

describe('the images’ bases', () => {
  it('when PUBLIC_BASE is read, then it names its tag and pins it by a sha256 digest', () => {
    expect(PUBLIC_BASE).toMatch(/^docker\.io\/library\/debian:bookworm-\d{8}-slim@sha256:[0-9a-f]{64}$/);
  });

  it.each(IMAGES.map((i) => [i.name, i.dir]))(
    'when the %s Dockerfile is read, then BASE defaults to PUBLIC_BASE and every stage is built FROM it',
    async (_name, dir) => {
      const text = await dockerfile(dir);
      expect(text.match(/^ARG BASE=(.*)$/m)?.[1]).toBe(PUBLIC_BASE);
      // A stage is FROM the base or an earlier stage of the same file: no other image is pulled.
      const stages: string[] = [];
      for (const [, from, as] of text.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)) {
        expect(from === '${BASE}' || stages.includes(from!), `FROM ${from}`).toBe(true);
        if (as) stages.push(as);
      }
      for (const [, from] of text.matchAll(/--from=(\S+)/g)) expect(stages, `--from=${from}`).toContain(from);
      for (const [, from] of text.matchAll(/\bfrom=([^,\s]+)/g))
        expect(stages, `from=${from}`).toContain(from);
    },
  );
});
