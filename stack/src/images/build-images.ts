import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StackError, TOOLS } from '@stackdrill/toolkit';
import { VERSIONS } from '@stackdrill/facts';
import { runDoctor, type DoctorEvent } from '../doctor/doctor.ts';
import { tryOutput } from '../doctor/exec.ts';
import { ferretdbBinary, kafkaLib, toxiproxyBinary } from '../doctor/requirements.ts';
import { cacheDir, REPO_ROOT } from '../paths.ts';
import { assembleAppContext } from './app-context.ts';
import { PROJECT } from './project.ts';
import { assembleUiContext } from './ui-context.ts';

/** The Debian 12 base of every offline image, made with debootstrap from Debian's mirror. */
export const OFFLINE_BASE = 'localhost/stackdrill/debian:bookworm';

/**
 * The public Debian 12 base the stack’s own images are built on online, pinned by its index digest (every
 * platform): `debian:bookworm-20260918-slim` as docker-library/repo-info records it. Each
 * Dockerfile's BASE defaults to it (a unit test holds them to it); `pnpm images:build` passes it.
 */
export const PUBLIC_BASE =
  'docker.io/library/debian:bookworm-20260918-slim@sha256:3783cc01769c7b2b1b83a5c5ad96c815348e28ed7da68e2e3687004faa906251';

/**
 * Where the Kafka jars are in the Kafka image of either mode (the official image's layout, which
 * the offline one copies): a broker or a tool starts with `java -cp KAFKA_CLASSPATH <class> …`.
 */
export const KAFKA_CLASSPATH = '/opt/kafka/libs/*';

/** What the stack's images are built on: the pinned public base, or one made here with debootstrap. */
export type ImagesMode = 'public' | 'offline';
export const IMAGES_MODES: readonly ImagesMode[] = ['public', 'offline'];
export const IMAGE_BASES: Record<ImagesMode, string> = { public: PUBLIC_BASE, offline: OFFLINE_BASE };
/** The label each built image carries: the base it was built on (the containers provider checks it). */
export const IMAGES_MODE_LABEL = 'dev.stackdrill.images';

/** An image the stack builds: its Dockerfile's directory under stack/images/, and its tag. */
export interface ImageSpec {
  name: string;
  dir: string;
  tag: string;
  /** Which builds make it (default both): online the stack runs the official image instead. */
  modes?: readonly ImagesMode[];
  /** Files of this machine the build needs beside the Dockerfile (what the doctor fetched or built). */
  context?: () => { from: string; to: string }[];
  /**
   * Writes what else the build needs into its context directory (made here, from the repository);
   * returns build arguments for it.
   */
  assemble?: (dir: string) => Promise<Record<string, string> | void>;
}

/**
 * The stack's images: the data tier's, the fault proxy's, the app's (every Node member, chosen by
 * its first argument) and the UI's (nginx, the API passed to the gateway). Offline they are built
 * on OFFLINE_BASE; online on PUBLIC_BASE (each Dockerfile's default). The app's and the UI's contexts
 * are assembled from this repository (its install, the UI's build): no registry either way.
 */
export const IMAGES: ImageSpec[] = [
  { name: 'redis', dir: 'redis', tag: 'localhost/stackdrill/redis:7.0' },
  {
    name: 'kafka',
    dir: 'kafka',
    tag: `localhost/stackdrill/kafka:${VERSIONS.kafka}`,
    // Online the stack runs the official apache/kafka image; this one is laid out like it.
    modes: ['offline'],
    context: () => [{ from: kafkaLib(), to: 'libs' }],
  },
  {
    name: 'ferretdb',
    dir: 'ferretdb',
    // Online the stack runs a replica set of the official MongoDB image instead.
    modes: ['offline'],
    tag: `localhost/stackdrill/ferretdb:${VERSIONS.ferretdb}`,
    context: () => [{ from: ferretdbBinary(), to: 'ferretdb' }],
  },
  {
    name: 'toxiproxy',
    dir: 'toxiproxy',
    tag: `localhost/stackdrill/toxiproxy:${VERSIONS.toxiproxy}`,
    context: () => [{ from: toxiproxyBinary(), to: 'toxiproxy-server' }],
  },
  // microsocks from Debian: where MongoDB's members are named on the instance's network, the way to them.
  { name: 'socks-gate', dir: 'socks-gate', tag: `localhost/stackdrill/socks-gate:${PROJECT.version}` },
  {
    name: 'app',
    dir: 'app',
    tag: `localhost/stackdrill/app:${PROJECT.version}`,
    assemble: assembleAppContext,
  },
  { name: 'ui', dir: 'ui', tag: `localhost/stackdrill/ui:${PROJECT.version}`, assemble: assembleUiContext },
];

export type ImagesEvent =
  | { type: 'doctor'; event: DoctorEvent }
  | { type: 'engine'; cli: string }
  | { type: 'base'; state: 'present' | 'bootstrapping' | 'importing' | 'made'; ms?: number }
  | { type: 'building'; image: string }
  | { type: 'built'; image: string; tag: string; ms: number };

export interface BuildImagesOptions {
  /** Build on the local Debian base (made first when missing): no registry is needed. */
  offline: boolean;
  /** Only these images (by name). */
  only?: string[];
  /** The Debian mirror debootstrap reads (default: deb.debian.org, or DEBIAN_MIRROR). */
  mirror?: string;
  onEvent?: (event: ImagesEvent) => void;
}

/**
 * Builds the stack's images with the engine's own CLI (podman, else docker): each from its
 * Dockerfile under stack/images/, reusing the engine's layer cache, so a rebuild with no change
 * only checks. Offline, the base is made once with debootstrap and imported.
 */
export async function buildImages(options: BuildImagesOptions): Promise<ImageSpec[]> {
  const emit = options.onEvent ?? (() => {});
  const mode: ImagesMode = options.offline ? 'offline' : 'public';
  const wanted = IMAGES.filter(
    (i) => (!options.only || options.only.includes(i.name)) && (i.modes ?? IMAGES_MODES).includes(mode),
  );
  await runDoctor({
    // Kafka's jars, FerretDB's and Toxiproxy's binaries are the native provider's: its requirements bring them.
    stack: wanted.some((i) => i.context),
    containers: true,
    offlineImages: options.offline,
    onEvent: (event) => emit({ type: 'doctor', event }),
  });
  const cli = await engineCli();
  emit({ type: 'engine', cli });
  if (options.offline) await ensureBase(cli, options.mirror ?? process.env.DEBIAN_MIRROR, emit);
  for (const image of wanted) {
    emit({ type: 'building', image: image.name });
    const started = Date.now();
    const context = await buildContext(image);
    await TOOLS.run(
      cli,
      [
        'build',
        '--quiet',
        // Podman's default (OCI) image format has no HEALTHCHECK: it would drop the images' own.
        ...(cli === 'podman' ? ['--format', 'docker'] : []),
        '--build-arg',
        `BASE=${IMAGE_BASES[mode]}`,
        '--label',
        `${IMAGES_MODE_LABEL}=${mode}`,
        ...Object.entries(context.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        '--tag',
        image.tag,
        context.dir,
      ],
      {
        timeoutMs: 20 * 60_000,
        what: `building the ${image.name} image`,
        component: `image ${image.name}`,
        hint: options.offline
          ? 'its RUN steps need Debian’s package mirror; see the output above'
          : 'pulling its base needs a registry; without one, build with --offline',
      },
    ).finally(context.remove);
    emit({ type: 'built', image: image.name, tag: image.tag, ms: Date.now() - started });
  }
  return wanted;
}

/**
 * The directory a build reads: the Dockerfile's own, or a copy of it with the machine's files added
 * or assembled here (the engine's layer cache keys COPY by content, so a fresh copy still hits the
 * cache), and the build arguments the assembly gave.
 */
async function buildContext(
  image: ImageSpec,
): Promise<{ dir: string; buildArgs: Record<string, string>; remove: () => Promise<void> }> {
  const source = join(REPO_ROOT, 'stack', 'images', image.dir);
  if (!image.context && !image.assemble) return { dir: source, buildArgs: {}, remove: async () => {} };
  // A directory of its own: two builds at once (a test's and a person's) share the cache directory.
  await mkdir(join(cacheDir(), 'images'), { recursive: true });
  const dir = await mkdtemp(join(cacheDir(), 'images', `context-${image.name}-`));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await cp(source, dir, { recursive: true });
    for (const file of image.context?.() ?? []) await cp(file.from, join(dir, file.to), { recursive: true });
    return { dir, buildArgs: (await image.assemble?.(dir)) ?? {}, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** podman when it is installed (the doctor's engine), else docker. */
async function engineCli(): Promise<string> {
  for (const cli of ['podman', 'docker']) if (await tryOutput(cli, ['--version'])) return cli;
  throw new StackError({
    component: 'images',
    message: 'neither podman nor docker is on PATH',
    hint: 'install one (on Debian, `pnpm images:build --offline` as root installs Podman)',
  });
}

/** The Debian base, made with debootstrap and imported, unless the engine has it already. */
async function ensureBase(
  cli: string,
  mirror: string | undefined,
  emit: (event: ImagesEvent) => void,
): Promise<void> {
  const present = await TOOLS.run(cli, ['image', 'inspect', OFFLINE_BASE], {
    timeoutMs: 30_000,
    what: 'looking for the base image',
  }).then(
    () => true,
    () => false,
  );
  if (present) return emit({ type: 'base', state: 'present' });
  const started = Date.now();
  const rootfs = join(cacheDir(), 'images', 'debian-bookworm-rootfs');
  await rm(rootfs, { recursive: true, force: true }); // a half-made one from an interrupted run
  await mkdir(rootfs, { recursive: true });
  emit({ type: 'base', state: 'bootstrapping' });
  try {
    await TOOLS.run(
      'debootstrap',
      ['--variant=minbase', 'bookworm', rootfs, mirror ?? 'http://deb.debian.org/debian'],
      {
        timeoutMs: 20 * 60_000,
        what: 'making the Debian base with debootstrap',
        component: 'images',
        hint: 'debootstrap needs root and Debian’s package mirror (DEBIAN_MIRROR names another)',
      },
    );
    emit({ type: 'base', state: 'importing' });
    await TOOLS.run('sh', ['-c', `tar -C "$0" -c . | ${cli} import - "$1"`, rootfs, OFFLINE_BASE], {
      timeoutMs: 10 * 60_000,
      what: `importing the Debian base as ${OFFLINE_BASE}`,
      component: 'images',
    });
  } finally {
    await rm(rootfs, { recursive: true, force: true });
  }
  emit({ type: 'base', state: 'made', ms: Date.now() - started });
}
