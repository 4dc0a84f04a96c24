import type Docker from 'dockerode';
import { errorMessage, StackError } from '@stackdrill/toolkit';
import {
  buildImages,
  IMAGES,
  IMAGES_MODE_LABEL,
  PUBLIC_BASE,
  type ImagesMode,
} from '../../images/build-images.ts';
import type { UpEvent } from '../provider.ts';
import type { ImageSet } from './container-runtime.ts';

const tagOf = (name: string) => {
  const image = IMAGES.find((i) => i.name === name);
  if (!image) throw new Error(`no image "${name}" among IMAGES`);
  return image.tag;
};

/**
 * The images each program runs in: the stack's own (`pnpm images:build`, on the public Debian base
 * or, `--offline`, on one made with debootstrap); each image's entry point takes the arguments.
 */
export function stackImages(): ImageSet {
  return {
    'redis-server': { image: tagOf('redis'), command: (args) => ['redis-server', ...args] },
    kafka: { image: tagOf('kafka'), command: (args) => args },
    ferretdb: { image: tagOf('ferretdb'), command: (args) => args },
    toxiproxy: { image: tagOf('toxiproxy'), command: (args) => args },
    'node-app': { image: tagOf('app'), command: (args) => args },
    'ui-server': { image: tagOf('ui'), command: (args) => args },
    // The official image: not built or run on this machine (no registry reaches it here).
    mongod: { image: 'docker.io/library/mongo:7.0', command: (args) => ['mongod', ...args] },
  };
}

export interface EnsureImagesOptions {
  /** `--images`. */
  asked?: ImagesMode;
  /** What the instance ran on before. */
  recorded?: ImagesMode;
  onEvent: (event: UpEvent) => void;
}

/**
 * Every image the stack runs is in the engine, built on one base: the one asked for, else the one
 * the instance ran on before, else the one the images are built on (public when nothing is built).
 * Returns it. What is missing of the stack's own images is built first (as `pnpm images:build`;
 * the layer cache makes it quick when only a tag went). The images of both modes share their tags,
 * so the engine holds the one built last; its label says which it is, and one built on the other
 * base is never replaced here: that is the person's call.
 */
export async function ensureImages(
  docker: Docker,
  images: ImageSet,
  options: EnsureImagesOptions,
): Promise<ImagesMode> {
  const needed = [
    ...new Set(
      Object.entries(images)
        .filter(([program]) => program !== 'mongod') // FerretDB stands in (see the README)
        .map(([, i]) => i.image),
    ),
  ];
  let { built, missing } = await imagesInEngine(docker, needed);
  const modes = new Set(built.values());
  const detected = modes.size === 1 && modes.has('offline') ? 'offline' : 'public';
  const mode = options.asked ?? options.recorded ?? detected;
  const why = options.asked ? '' : options.recorded ? ' (what it ran before)' : '';
  const build = mode === 'offline' ? 'pnpm images:build --offline' : 'pnpm images:build';
  const buildable = missing.map((tag) => IMAGES.find((i) => i.tag === tag));
  if (missing.length > 0 && buildable.every((spec) => spec !== undefined)) {
    await buildImages({
      offline: mode === 'offline',
      only: buildable.map((spec) => spec.name),
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
    ({ built, missing } = await imagesInEngine(docker, needed));
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
  const other = [...built].filter(([, m]) => m !== mode);
  if (other.length > 0)
    throw new StackError({
      component: 'containers',
      message: `${describeOther(other, needed.length)}; this stack runs the ${mode} images${why}`,
      hint: `build them again with \`${build}\`, or pass \`--images ${mode === 'public' ? 'offline' : 'public'}\` to run the ones built`,
    });
  return mode;
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
