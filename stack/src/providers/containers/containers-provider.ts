import { rm } from 'node:fs/promises';
import { errorMessage, pathExists, StackError } from '@stackdrill/toolkit';
import { resolveInstance, type InstanceName } from '@stackdrill/facts';
import { instancePaths } from '../../paths.ts';
import { StateStore } from '../../process/state-store.ts';
import { runDoctor } from '../../doctor/doctor.ts';
import {
  buildImages,
  IMAGE_BASES,
  IMAGES,
  IMAGES_MODE_LABEL,
  PUBLIC_BASE,
  type ImagesMode,
} from '../../images/build-images.ts';
import { MemberProvider } from '../members/member-provider.ts';
import type { DownOptions, DownResult, LocalProcess, UpEvent, UpOptions, UpResult } from '../provider.ts';
import { ContainerRuntime, type ImageSet } from './container-runtime.ts';
import { sharedEngine } from './engine-connection.ts';

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

/**
 * The whole stack as containers on Docker or Podman: the same topology, start-up and handles as the
 * native provider (MemberProvider), each member a container of the stack's images on the
 * instance's own network, published on 127.0.0.1 only, labelled so that `stack:down` finds every
 * container, network and volume it made, even after a crash.
 */
export class ContainersProvider extends MemberProvider {
  readonly name = 'containers';

  private constructor(
    parts: ConstructorParameters<typeof MemberProvider>[0],
    readonly containers: ContainerRuntime,
    private readonly images: ImageSet,
    /** The engine, connected on first use (a Podman API service of this process's own when none serves). */
    readonly engine: typeof sharedEngine,
  ) {
    super(parts);
  }

  static async open(
    instanceName: InstanceName,
    images: ImageSet = stackImages(),
  ): Promise<ContainersProvider> {
    const resolved = resolveInstance(instanceName);
    const paths = instancePaths(instanceName);
    const store = await StateStore.open(paths.stateFile, instanceName, 'containers');
    const engine = sharedEngine;
    const runtime = new ContainerRuntime(instanceName, resolved.host, () => engine.docker(), images);
    const parts = {
      resolved,
      paths,
      store,
      runtime,
      // FerretDB stands in: a replica set of the official image is not exercised here (see the README).
      mongoAvailable: () => 'ferretdb' as const,
      // The UI on nginx, passing /api to the gateway.
      ui: { ownMember: true },
    };
    return new ContainersProvider(parts, runtime, images, engine);
  }

  protected async prepare(options: UpOptions, onEvent: (event: UpEvent) => void): Promise<void> {
    this.containers.reuse = options.reuse === true;
    await runDoctor({ containers: true, onEvent: (event) => onEvent({ type: 'doctor', event }) });
    this.imagesMode = await this.checkImages(options.images ?? this.store.state.facts.images, onEvent);
    onEvent({ type: 'images', mode: this.imagesMode, base: IMAGE_BASES[this.imagesMode] });
  }

  /** What the images were built on, recorded once the stack is up: later `up`s hold to it. */
  private imagesMode: ImagesMode | undefined;

  override async up(options: UpOptions = {}, onEvent?: (event: UpEvent) => void): Promise<UpResult> {
    const result = await super.up(options, onEvent);
    if (this.imagesMode) await this.store.setFacts({ images: this.imagesMode });
    return result;
  }

  /**
   * Every image the stack runs is in the engine, built on the base asked for (\`--images\`, else
   * what the instance ran on before, else what the images say): returns which. What is missing of
   * the stack's own images is built first (as \`pnpm images:build\`; the layer cache makes it quick
   * when only a tag went). The images of both modes share their tags, so the engine holds the one
   * built last; its label says which it is, and one built on the other base is never replaced here.
   */
  private async checkImages(
    asked: ImagesMode | undefined,
    onEvent: (event: UpEvent) => void,
  ): Promise<ImagesMode> {
    const needed = [
      ...new Set(
        Object.entries(this.images)
          .filter(([p]) => p !== 'mongod')
          .map(([, i]) => i.image),
      ),
    ];
    let { built, missing } = await this.imagesInEngine(needed);
    const modes = new Set(built.values());
    const mode = asked ?? (modes.size === 1 && modes.has('offline') ? 'offline' : 'public');
    const build = mode === 'offline' ? 'pnpm images:build --offline' : 'pnpm images:build';
    const buildable = missing.map((tag) => IMAGES.find((i) => i.tag === tag));
    if (missing.length > 0 && buildable.every((spec) => spec !== undefined)) {
      await buildImages({
        offline: mode === 'offline',
        only: buildable.map((spec) => spec.name),
        onEvent: (event) => onEvent({ type: 'images-build', event }),
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
      ({ built, missing } = await this.imagesInEngine(needed));
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
    if (other.length > 0) {
      const base = (m: string) => (m === 'offline' || m === 'public' ? `the ${m} base` : m);
      const which = [...new Set(other.map(([, m]) => m))]
        .map((m) => {
          const images = other.filter(([, o]) => o === m).map(([image]) => image);
          return `${images.length === needed.length ? `every image (${images.join(', ')})` : images.join(', ')} ${images.length > 1 ? 'are' : 'is'} built on ${base(m)}`;
        })
        .join('; ');
      throw new StackError({
        component: 'containers',
        message: `${which}; this stack runs the ${mode} images${asked ? '' : ' (what it ran before)'}`,
        hint: `build them again with \`${build}\`${mode === 'public' ? ', or pass `--images offline` to run the offline ones' : ', or pass `--images public` to run the public ones'}`,
      });
    }
    return mode;
  }

  /** Which of the images the engine holds, with the base each was built on (its label). */
  private async imagesInEngine(images: string[]): Promise<{ built: Map<string, string>; missing: string[] }> {
    const docker = await this.engine.docker();
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

  protected async placeRedisRdb(member: string, file: string): Promise<void> {
    this.containers.seed(member, { name: 'dump.rdb', path: file });
  }

  /** The members' volumes and the network, then the instance's state on this machine. */
  protected async deleteData(): Promise<void> {
    await this.containers.removeAll({ volumes: true });
    await rm(this.paths.root, { recursive: true, force: true });
  }

  async leftovers(): Promise<string[]> {
    const engine = await this.containers.labelled();
    return [...engine, ...((await pathExists(this.paths.root)) ? [`directory ${this.paths.root}`] : [])];
  }

  logFile(): string | undefined {
    return undefined;
  }

  /** The member's container log, from the engine. */
  async logTail(member: string, lines: number): Promise<{ text: string; follow: string }> {
    const cli = (await this.engine.get()).engine.kind;
    return {
      text: await this.containers.logTail(member, lines),
      follow: `${cli} logs -f ${this.containers.containerName(member)}`,
    };
  }

  async localProcesses(): Promise<LocalProcess[]> {
    return [];
  }

  /**
   * Stops every member, then removes everything of the instance: containers, network, volumes and
   * its state on this machine. With `keep`, the stopped containers, the network and the volumes stay:
   * `stack:up` makes the containers anew on the same data, `stack:up --reuse` starts them again.
   */
  async down(options: DownOptions = {}): Promise<DownResult> {
    const before = (await this.containers.containers()).filter((c) => c.State === 'running').length;
    this.containers.keepStopped = options.keep === true;
    try {
      await this.stopComponents();
    } finally {
      this.containers.keepStopped = false;
    }
    if (options.keep) return { stopped: before, deleted: false };
    await this.purge();
    return { stopped: before, deleted: true };
  }

  async stopStartedSince(since: number): Promise<string[]> {
    this.containers.refuseNewStarts('start-up was interrupted or failed');
    return this.containers.removeStartedSince(since);
  }

  residentBytes(): Promise<number> {
    return this.containers.residentBytes();
  }
}
