import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { allows, prodClosure } from './prod-closure.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'prod-closure-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function manifest(dir: string, fields: object): Promise<void> {
  await mkdir(join(root, dir), { recursive: true });
  await writeFile(join(root, dir, 'package.json'), JSON.stringify(fields));
}

async function link(at: string, target: string): Promise<void> {
  await mkdir(dirname(join(root, at)), { recursive: true });
  await symlink(target, join(root, at));
}

/** A package in pnpm's virtual store: `.pnpm/<id>/node_modules/<name>`. */
const store = (id: string, name: string) => join('node_modules', '.pnpm', id, 'node_modules', name);

/** A workspace as pnpm lays it out: app → lib (workspace) and x; x → y and a binary for another CPU. */
beforeEach(async () => {
  await manifest('pkgs/app', { dependencies: { lib: 'workspace:*', x: '1' }, devDependencies: { dev: '1' } });
  await link('pkgs/app/node_modules/lib', '../../lib');
  await link('pkgs/app/node_modules/x', `../../../${store('x@1', 'x')}`);
  await link('pkgs/app/node_modules/dev', `../../../${store('dev@1', 'dev')}`);
  await manifest('pkgs/lib', {});
  await manifest(store('x@1', 'x'), {});
  await link(store('x@1', 'y'), '../../y@1/node_modules/y');
  await link(store('x@1', '@bin/elsewhere'), '../../../@bin+elsewhere@1/node_modules/@bin/elsewhere');
  await manifest(store('y@1', 'y'), {});
  await manifest(store('@bin+elsewhere@1', '@bin/elsewhere'), { cpu: [`!${process.arch}`] });
  await manifest(store('dev@1', 'dev'), {});
  await manifest(store('tsx@1', 'tsx'), {});
  await link('node_modules/tsx', '.pnpm/tsx@1/node_modules/tsx');
});

describe('prodClosure', () => {
  it('when a package is followed, then its workspace and store dependencies are in, its devDependencies not', async () => {
    const closure = await prodClosure(root, ['pkgs/app']);
    expect([...closure.packages.keys()].sort()).toEqual(['pkgs/app', 'pkgs/lib']);
    expect(closure.packages.get('pkgs/app')).toEqual([
      { name: 'lib', link: '../../lib' },
      { name: 'x', link: `../../../${store('x@1', 'x')}` },
    ]);
    expect([...closure.store].sort()).toEqual(['node_modules/.pnpm/x@1', 'node_modules/.pnpm/y@1']);
  });

  it("when a store package is for another platform (esbuild's binaries), then it is left out", async () => {
    const closure = await prodClosure(root, ['pkgs/app']);
    expect([...closure.store].some((e) => e.includes('elsewhere'))).toBe(false);
  });

  it("when a root link is named, then its store entry is in (the members' runtime, tsx)", async () => {
    const closure = await prodClosure(root, ['pkgs/app'], ['tsx']);
    expect(closure.store.has('node_modules/.pnpm/tsx@1')).toBe(true);
  });
});

describe('allows', () => {
  it("when npm's os or cpu field lists values, then it allows those and refuses the negated", () => {
    expect(allows(undefined, 'linux')).toBe(true);
    expect(allows(['linux', 'darwin'], 'linux')).toBe(true);
    expect(allows(['darwin'], 'linux')).toBe(false);
    expect(allows(['!win32'], 'linux')).toBe(true);
    expect(allows(['!linux'], 'linux')).toBe(false);
  });
});
