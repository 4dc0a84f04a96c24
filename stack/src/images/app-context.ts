import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { APP } from '@stackdrill/facts';
import { StackError } from '@stackdrill/toolkit';
import { REPO_ROOT } from '../paths.ts';
import { dependencyArchive } from './dependency-archive.ts';
import { placeFile, placeTree } from './link-tree.ts';
import { pinnedNodeBinary } from './node-binary.ts';
import { PROJECT } from './project.ts';
import { prodClosure } from './prod-closure.ts';

/** A Node member the app image runs (`services/<name>/src/main.ts`), and where its readiness answers. */
export interface AppMember {
  name: string;
  /** The variable its HTTP port is read from, and the port when it is unset. */
  portEnv: 'PORT' | 'HTTP_PORT';
  port: number;
  /** As the harness probes it (app-probe.ts): the sinks' /health, every other member's /ready. */
  readiness: '/health' | '/ready';
}

/** The members, from the topology: the sinks, the five services, the gateway. */
export const APP_MEMBERS: readonly AppMember[] = [
  { name: APP.sinks.dir, portEnv: 'HTTP_PORT', port: APP.sinks.port, readiness: '/health' },
  ...APP.services.map((s) => ({
    name: s.name,
    portEnv: 'PORT' as const,
    port: s.port,
    readiness: '/ready' as const,
  })),
  { name: APP.gateway.name, portEnv: 'PORT', port: APP.gateway.port, readiness: '/ready' },
];

/**
 * The members run from their TypeScript sources with tsx, as the native provider runs them: the
 * same transform (parameter properties, `.ts` imports, workspace packages whose exports are `.ts`),
 * with no build step whose output could differ from what the tests ran. It costs a compile at each
 * start (a second or two) and esbuild's binary (10 MB). tsx is the root's dependency: the image
 * gets its store entry and the root's link to it, so `node --import tsx` resolves from /app.
 */
const RUNTIME = 'tsx';

/**
 * The app image's build context, assembled from this machine's install without a registry (see
 * stack/images/app/Dockerfile): the pinned Node, the members' production dependencies with tsx in
 * pnpm's own symlinked layout (only the virtual-store entries they need, as one archive made once
 * per set of dependencies), and in workdir/ the members' workspace packages (sources, no tests)
 * with links to those dependencies. Files are hard links where they can be: assembling it again
 * takes a fraction of a second. Returns the build arguments that key the Dockerfile's RUN steps.
 */
export async function assembleAppContext(dir: string): Promise<Record<string, string>> {
  if (process.platform !== 'linux')
    throw new StackError({
      component: 'image app',
      message: `its node_modules come from this machine's install, which is for ${process.platform}, not Linux`,
      hint: 'build the app image on Linux (the engine’s machine, or a Linux CI runner)',
    });
  const members = APP_MEMBERS.map((m) => join('services', m.name));
  const closure = await prodClosure(REPO_ROOT, members, [RUNTIME]);
  const probes = Object.fromEntries(APP_MEMBERS.map(({ name, ...probe }) => [name, probe]));
  const workdir = join(dir, 'workdir');
  const [dependencies] = await Promise.all([
    dependencyArchive(closure.store, [RUNTIME]),
    pinnedNodeBinary().then((node) => placeFile(node, join(dir, 'node'))),
    placeFile(join(REPO_ROOT, 'tsconfig.json'), join(workdir, 'tsconfig.json')), // tsx reads its compilerOptions
    writeFile(join(workdir, 'members.json'), `${JSON.stringify(probes, null, 2)}\n`),
    ...[...closure.packages].map(async ([pkg, links]) => {
      await placeTree(
        join(REPO_ROOT, pkg),
        join(workdir, pkg),
        (name) => name !== 'node_modules' && !/\.test\.ts$/.test(name),
      );
      // Its production dependencies only (a devDependency may not even be in the closure).
      await Promise.all(links.map((l) => link(join(workdir, pkg, 'node_modules', l.name), l.link)));
    }),
  ]);
  await placeFile(dependencies.path, join(dir, 'node_modules.tar'));
  return { NODE_VERSION: PROJECT.node, DEPENDENCIES: dependencies.key };
}

async function link(at: string, target: string): Promise<void> {
  await mkdir(dirname(at), { recursive: true });
  await symlink(target, at);
}
