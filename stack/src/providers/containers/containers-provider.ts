import { rm } from 'node:fs/promises';
import { pathExists } from '@stackdrill/toolkit';
import { resolveInstance, type InstanceName } from '@stackdrill/facts';
import { instancePaths } from '../../paths.ts';
import { StateStore } from '../../process/state-store.ts';
import { runDoctor } from '../../doctor/doctor.ts';
import { IMAGE_BASES, type ImagesMode } from '../../images/build-images.ts';
import { MemberProvider } from '../members/member-provider.ts';
import type { DownOptions, DownResult, LocalProcess, UpEvent, UpOptions, UpResult } from '../provider.ts';
import { ContainerRuntime, type ImageSet } from './container-runtime.ts';
import { sharedEngine } from './engine-connection.ts';
import {
  ensureImages,
  MONGO_FLAVOR,
  ownImagesInEngine,
  publishedImages,
  stackImages,
} from './stack-images.ts';

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
    private readonly imagesFor: (mode: ImagesMode) => ImageSet,
    /** The engine, connected on first use (a Podman API service of this process's own when none serves). */
    readonly engine: typeof sharedEngine,
    /** What `up` settled the images on (it decides MongoDB's flavor too); later `up`s hold to it. */
    private readonly settled: { mode?: ImagesMode },
  ) {
    super(parts);
    containers.images = () => this.memberImages();
  }

  /** `imagesFor`: the images of each mode (tests change some). */
  static async open(
    instanceName: InstanceName,
    imagesFor: (mode: ImagesMode) => ImageSet = stackImages,
  ): Promise<ContainersProvider> {
    const resolved = resolveInstance(instanceName);
    const paths = instancePaths(instanceName);
    const store = await StateStore.open(paths.stateFile, instanceName, 'containers');
    const engine = sharedEngine;
    const settled: { mode?: ImagesMode } = {};
    const runtime = new ContainerRuntime(instanceName, resolved.host, () => engine.docker());
    const parts = {
      resolved,
      paths,
      store,
      runtime,
      // A replica set of the official image online; offline (no MongoDB image) FerretDB stands in.
      mongoAvailable: () => MONGO_FLAVOR[settled.mode ?? store.state.facts.images ?? 'offline'],
      // The UI on nginx, passing /api to the gateway.
      ui: { ownMember: true },
    };
    return new ContainersProvider(parts, runtime, imagesFor, engine, settled);
  }

  protected async prepare(options: UpOptions, onEvent: (event: UpEvent) => void): Promise<void> {
    this.containers.reuse = options.reuse === true;
    await runDoctor({ containers: true, onEvent: (event) => onEvent({ type: 'doctor', event }) });
    this.settled.mode = await ensureImages(await this.engine.docker(), this.imagesFor, {
      ...(options.images ? { asked: options.images } : {}),
      ...(this.store.state.facts.images ? { recorded: this.store.state.facts.images } : {}),
      onEvent,
    });
    const { mode } = this.settled;
    onEvent({
      type: 'images',
      mode,
      base: IMAGE_BASES[mode],
      published: publishedImages(this.imagesFor(mode), mode),
    });
  }

  /**
   * The images the members run: those of the mode `up` settled on, else of the one the instance
   * ran on (a drill restarting a member from another process), else of the ones built.
   */
  private async memberImages(): Promise<ImageSet> {
    const mode =
      this.settled.mode ??
      this.store.state.facts.images ??
      (await ownImagesInEngine(await this.engine.docker(), this.imagesFor)).detected;
    return this.imagesFor(mode);
  }

  override async up(options: UpOptions = {}, onEvent?: (event: UpEvent) => void): Promise<UpResult> {
    const result = await super.up(options, onEvent);
    if (this.settled.mode) await this.store.setFacts({ images: this.settled.mode });
    return result;
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
      await this.stopComponents(options.onEvent);
    } finally {
      this.containers.keepStopped = false;
    }
    if (options.keep) return { stopped: before, deleted: false };
    options.onEvent?.({ type: 'deleting', what: `its containers, network, volumes and ${this.paths.root}` });
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
