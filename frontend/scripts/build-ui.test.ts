// @vitest-environment node
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { initialJsGzipBytes } from './build-ui.ts';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('the initial JavaScript of a build', () => {
  it('is the entry chunk and what it imports statically, gzipped; lazy chunks and CSS do not count', async () => {
    const dist = await mkdtemp(join(tmpdir(), 'ui-dist-'));
    dirs.push(dist);
    await mkdir(join(dist, '.vite'));
    await mkdir(join(dist, 'assets'));
    const files = {
      'assets/index.js': 'import "./vendor.js";'.repeat(50),
      'assets/vendor.js': 'export const react = 1;'.repeat(80),
      'assets/dashboard.js': 'export const charts = 2;'.repeat(500),
      'assets/index.css': 'body{margin:0}'.repeat(100),
    };
    for (const [file, text] of Object.entries(files)) await writeFile(join(dist, file), text);
    const manifest = {
      'index.html': {
        file: 'assets/index.js',
        isEntry: true,
        imports: ['_vendor.js'],
        dynamicImports: ['src/pages/dashboard-page.tsx'],
        css: ['assets/index.css'],
      },
      '_vendor.js': { file: 'assets/vendor.js' },
      'src/pages/dashboard-page.tsx': {
        file: 'assets/dashboard.js',
        isDynamicEntry: true,
        imports: ['_vendor.js'],
      },
    };
    await writeFile(join(dist, '.vite', 'manifest.json'), JSON.stringify(manifest));
    const gz = (file: keyof typeof files) => gzipSync(files[file]).length;
    expect(await initialJsGzipBytes(dist)).toBe(gz('assets/index.js') + gz('assets/vendor.js'));
  });
});
