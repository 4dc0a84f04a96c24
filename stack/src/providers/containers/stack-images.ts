import type Docker from 'dockerode';
import { errorMessage, StackError } from '@stackdrill/toolkit';
import { VERSIONS } from '@stackdrill/facts';
import {
  buildImages,
  IMAGES,
  IMAGES_MODE_LABEL,
  IMAGES_MODES,
  KAFKA_CLASSPATH,
  PUBLIC_BASE,
  type ImagesMode,
} from '../../images/build-images.ts';
import type { UpEvent } from '../provider.ts';
import type { MongoFlavor } from '../../components/mongo/mongo-probe.ts';
import type { MemberProgram } from '../members/member-runtime.ts';
import type { ImageSet } from './container-runtime.ts';

const tagOf = (name: string) => {
  const image = IMAGES.find((i) => i.name === name);
  if (!image) throw new Error(`no image "${name}" among IMAGES`);
  return image.tag;
};

/**
 * The official Apache Kafka image of each version the stack pins, by its index digest (every
 * platform), as published on Docker Hub (`apache/kafka:3.9.1`). A new VERSIONS.kafka needs its
 * digest here: `officialKafkaImage` refuses a version it has none for.
 */
const OFFICIAL_KAFKA_DIGESTS: Record<string, string> = {
  '3.9.1': 'sha256:4ceccc577f03f51f6af8dbfda55194d0d892f4fa7913ffbded567ce3895622ed',
};

/**
 * The official MongoDB image, `mongo:7.0-jammy` (7.0.40) by its index digest (every platform) as
 * docker-library/repo-info records it. Online, the containers provider runs MongoDB as a replica
 * set of three of it; offline (no registry, and no package of MongoDB in Debian) FerretDB stands in.
 */
export const OFFICIAL_MONGO =
  'docker.io/library/mongo@sha256:406a4fdca9fc763443268f000218d3849ef8996f66ed9e92ba0b501b446ab822';

/** The official Kafka image of `version`, pinned by digest (no tag: engines refuse or drop one beside it). */
export function officialKafkaImage(version: string = VERSIONS.kafka): string {
  const digest = OFFICIAL_KAFKA_DIGESTS[version];
  if (!digest)
    throw new Error(`no digest of the official apache/kafka:${version} image in OFFICIAL_KAFKA_DIGESTS`);
  return `docker.io/apache/kafka@${digest}`;
}

/**
 * The images each program runs in. The stack's own (`pnpm images:build`, on the public Debian base
 * or, `--offline`, on one made with debootstrap), whose entry points take the arguments; Kafka's:
 * online the official image, offline the stack's own laid out like it, so one command line starts
 * either (`java` on the PATH, the jars in KAFKA_CLASSPATH; the official image's entry point passes
 * the command on); and MongoDB's official image, run online only (MONGO_FLAVOR).
 */
export function stackImages(mode: ImagesMode): ImageSet {
  return {
    'redis-server': { image: tagOf('redis'), command: (args) => ['redis-server', ...args] },
    kafka: {
      image: mode === 'public' ? officialKafkaImage() : tagOf('kafka'),
      command: (args) => ['java', '-cp', KAFKA_CLASSPATH, ...args],
    },
    ferretdb: { image: tagOf('ferretdb'), command: (args) => args },
    toxiproxy: { image: tagOf('toxiproxy'), command: (args) => args },
    'node-app': { image: tagOf('app'), command: (args) => args },
    'ui-server': { image: tagOf('ui'), command: (args) => args },
    // The official image (online only): its entry point passes `mongod …` on; as its own user, not root.
    mongod: { image: OFFICIAL_MONGO, command: (args) => ['mongod', ...args], user: '999:999' },
    'socks-gate': { image: tagOf('socks-gate'), command: (args) => args },
  };
}

/** Which MongoDB each mode runs: a replica set of the official image online, FerretDB offline. */
export const MONGO_FLAVOR: Record<ImagesMode, MongoFlavor> = { public: 'mongod', offline: 'ferretdb' };

/** The images a set runs in a mode (one MongoDB of the two). */
const imagesOf = (set: ImageSet, mode: ImagesMode): string[] => {
  const unused: MemberProgram = MONGO_FLAVOR[mode] === 'mongod' ? 'ferretdb' : 'mongod';
  return [
    ...new Set(
      Object.entries(set)
        .filter(([program]) => program !== unused)
        .map(([, i]) => i.image),
    ),
  ];
};

/** One the stack builds (`pnpm images:build`), not one it pulls. */
const isOwn = (image: string) => IMAGES.some((i) => i.tag === image);

/** The images of a set the stack runs as published (online, the official Kafka and MongoDB). */
export const publishedImages = (set: ImageSet, mode: ImagesMode): string[] =>
  imagesOf(set, mode).filter((i) => !isOwn(i));

export interface EnsureImagesOptions {
  /** `--images`. */
  asked?: ImagesMode;
  /** What the instance ran on before. */
  recorded?: ImagesMode;
  onEvent: (event: UpEvent) => void;
}

/**
 * Every image the stack runs is in the engine, and its own are built on one base: the one asked
 * for, else the one the instance ran on before, else the one they are built on (public when nothing
 * is built). Returns it. The images of both modes share their tags, so the engine holds the one
 * built last; its label says which it is, and one built on the other base is never replaced here:
 * that is the person's call. Then what is missing is pulled (the published images, online only)
 * or built (the stack's own, as `pnpm images:build`; the layer cache makes it quick when only a
 * tag went).
 */
export async function ensureImages(
  docker: Docker,
  imagesFor: (mode: ImagesMode) => ImageSet,
  options: EnsureImagesOptions,
): Promise<ImagesMode> {
  const { present, detected } = await ownImagesInEngine(docker, imagesFor);
  const mode = options.asked ?? options.recorded ?? detected;
  const why = options.asked ? '' : options.recorded ? ' (what it ran before)' : '';
  const build = mode === 'offline' ? 'pnpm images:build --offline' : 'pnpm images:build';
  const needed = imagesOf(imagesFor(mode), mode);
  const own = needed.filter(isOwn);
  const other = [...present].filter(([image, m]) => own.includes(image) && m !== mode);
  if (other.length > 0)
    throw new StackError({
      component: 'containers',
      message: `${describeOther(other, own.length)}; this stack runs the ${mode} images${why}`,
      hint: `build them again with \`${build}\`, or pass \`--images ${mode === 'public' ? 'offline' : 'public'}\` to run the ones built`,
    });
  for (const image of publishedImages(imagesFor(mode), mode))
    await ensurePublished(docker, image, mode, options.onEvent);
  let { missing } = await imagesInEngine(docker, own);
  if (missing.length > 0) {
    await buildImages({
      offline: mode === 'offline',
      only: IMAGES.filter((i) => missing.includes(i.tag)).map((i) => i.name),
      onEvent: (event) => options.onEvent({ type: 'images-build', event }),
    }).catch((error: unknown) => {
      throw new StackError({
        component: 'containers',
        message: `building the missing ${missing.join(', ')} failed: ${errorMessage(error)}`,
        ...(error instanceof StackError && error.logTail ? { logTail: error.logTail } : {}),
        hint:
          mode === 'offline'
            ? 'read the build output above'
            : 'the public images are built on a base pulled from Docker Hub; with no registry, `stack:up --images offline` builds them from Debian’s packages',
        cause: error,
      });
    });
    ({ missing } = await imagesInEngine(docker, own));
  }
  if (missing.length > 0)
    throw new StackError({
      component: 'containers',
      message: `the engine has no ${missing.join(', ')}`,
      hint:
        mode === 'offline'
          ? `build them with \`${build}\` (no registry needed)`
          : `build them with \`${build}\` (on ${PUBLIC_BASE}), or with no registry \`pnpm images:build --offline\` and \`--images offline\``,
    });
  return mode;
}

/**
 * The stack's own images the engine holds, each with the base it was built on (its label), and
 * the mode they make: offline when every one is built on the offline base, else public.
 */
export async function ownImagesInEngine(
  docker: Docker,
  imagesFor: (mode: ImagesMode) => ImageSet,
): Promise<{ present: Map<string, string>; detected: ImagesMode }> {
  const everyOwn = [...new Set(IMAGES_MODES.flatMap((m) => imagesOf(imagesFor(m), m).filter(isOwn)))];
  const { built } = await imagesInEngine(docker, everyOwn);
  const modes = new Set(built.values());
  return { present: built, detected: modes.size === 1 && modes.has('offline') ? 'offline' : 'public' };
}

/**
 * A published image the stack runs as it is (online, the official Kafka and MongoDB): pulled when the engine
 * has none, with its progress. Offline nothing is pulled: the stack runs only images it builds.
 */
async function ensurePublished(
  docker: Docker,
  image: string,
  mode: ImagesMode,
  onEvent: (event: UpEvent) => void,
): Promise<void> {
  if ((await imagesInEngine(docker, [image])).missing.length === 0) return;
  if (mode === 'offline')
    throw new StackError({
      component: 'containers',
      message: `the engine has no ${image}, and the offline images are the ones the stack builds`,
      hint: 'build them with `pnpm images:build --offline` (no registry needed)',
    });
  const started = Date.now();
  onEvent({ type: 'images-pull', image, state: 'pulling' });
  try {
    const stream = await docker.pull(image);
    const layers = new Map<string, { current: number; total: number }>();
    let said = Date.now();
    // An engine reports a failed pull as a line of the stream, not as the stream's error.
    let failed: string | undefined;
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (event: PullProgress) => {
          if (event.error) failed = event.errorDetail?.message ?? event.error;
          if (event.id && event.progressDetail?.total)
            layers.set(event.id, {
              current: event.progressDetail.current ?? 0,
              total: event.progressDetail.total,
            });
          if (Date.now() - said < 5000 || layers.size === 0) return;
          said = Date.now();
          const sum = (key: 'current' | 'total') => [...layers.values()].reduce((n, l) => n + l[key], 0);
          onEvent({ type: 'images-pull', image, state: 'progress', bytes: sum('current'), of: sum('total') });
        },
      );
    });
    if (failed) throw new Error(failed);
    if ((await imagesInEngine(docker, [image])).missing.length > 0)
      throw new Error('the engine said it was done, but has no such image');
  } catch (error) {
    throw new StackError({
      component: 'containers',
      message: `pulling ${image} failed: ${errorMessage(error)}`,
      hint: 'with no registry, `pnpm images:build --offline` and `stack:up --images offline` run the stack’s own images (its Kafka laid out like the official one)',
      cause: error,
    });
  }
  onEvent({ type: 'images-pull', image, state: 'pulled', ms: Date.now() - started });
}

/** A line of an engine's pull progress (Docker's and Podman's compatible API). */
interface PullProgress {
  id?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

/** "every image (a, b) is built on the offline base", or which are, per base. */
function describeOther(other: [string, string][], all: number): string {
  const base = (m: string) => (m === 'offline' || m === 'public' ? `the ${m} base` : m);
  return [...new Set(other.map(([, m]) => m))]
    .map((m) => {
      const images = other.filter(([, o]) => o === m).map(([image]) => image);
      const which = images.length === all ? `every image (${images.join(', ')})` : images.join(', ');
      return `${which} ${images.length > 1 ? 'are' : 'is'} built on ${base(m)}`;
    })
    .join('; ');
}

/** Which of the images the engine holds, with the base each was built on (its label). */
async function imagesInEngine(
  docker: Docker,
  images: string[],
): Promise<{ built: Map<string, string>; missing: string[] }> {
  const built = new Map<string, string>();
  const missing: string[] = [];
  for (const image of images) {
    const info = await docker
      .getImage(image)
      .inspect()
      .catch(() => undefined);
    if (info) built.set(image, info.Config.Labels?.[IMAGES_MODE_LABEL] ?? 'an unknown base');
    else missing.push(image);
  }
  return { built, missing };
}
