import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { StackError, type WatchedProcess } from '@stackdrill/toolkit';
import type { InstanceName } from '@stackdrill/facts';
import { isPortFree } from '../../process/ports.ts';
import type {
  MemberLaunch,
  MemberProgram,
  MemberRuntime,
  MemberState,
  Placement,
} from '../members/member-runtime.ts';
import { demuxLogs } from './log-frames.ts';

/** Labels on everything this provider creates: how `stack:down` finds it again, even after a crash. */
export const LABELS = {
  provider: 'dev.stackdrill.provider',
  instance: 'dev.stackdrill.instance',
  member: 'dev.stackdrill.member',
  component: 'dev.stackdrill.component',
  startedAt: 'dev.stackdrill.started-at',
  /** A hash of what a member's container was made from (`up --reuse` starts it again when it matches). */
  settings: 'dev.stackdrill.settings',
} as const;

/**
 * How a container is removed: with the anonymous volumes its image declares (the official Kafka
 * image's three, which the offline one copies; the official MongoDB image's two); a member's named
 * volume is never removed with it.
 */
const REMOVE = { force: true, v: true } as const;

/** Where a member keeps its files in its container: a volume of its own. */
const MEMBER_DIR = '/data';

/**
 * The image each program runs in, how its command line starts, and the user it runs as when not
 * its image's own (the official MongoDB image starts as root to step down; here it starts as mongodb).
 */
export type ImageSet = Record<
  MemberProgram,
  { image: string; command: (args: string[]) => string[]; user?: string }
>;

/** A file of this machine to put into a member's directory at its next start (a restored RDB). */
export interface SeedFile {
  name: string;
  path: string;
}

/**
 * Members as containers on the instance's own network, each reached by its name there, its data in
 * a named volume, its ports published on 127.0.0.1 only. Speaks the Docker API (Docker or Podman).
 */
export class ContainerRuntime implements MemberRuntime {
  readonly placement: Placement = {
    bindHost: '0.0.0.0',
    stackHost: (member) => member,
    dir: () => MEMBER_DIR,
  };
  private closedBecause: string | undefined;
  /** Start a member's stopped container again as it is when it was made the same way (`up --reuse`). */
  reuse = false;
  /** A stopped member's container stays (`stack:down --keep`) instead of being removed. */
  keepStopped = false;
  private readonly seeds = new Map<string, SeedFile[]>();

  constructor(
    private readonly instance: InstanceName,
    private readonly host: string,
    private readonly docker: () => Promise<Docker>,
  ) {}

  /** The images of the build the stack runs: the provider's (settled by `up`, or recorded). */
  images: () => Promise<ImageSet> = () =>
    Promise.reject(new Error('the container runtime has no images yet'));

  get network(): string {
    return `stackdrill-${this.instance}`;
  }

  containerName(member: string): string {
    return `stackdrill-${this.instance}-${member}`;
  }

  volumeName(member: string): string {
    return `stackdrill-${this.instance}-${member}`;
  }

  /** Once set, `start` refuses: an interrupted start-up must not create behind its own clean-up. */
  refuseNewStarts(reason: string): void {
    this.closedBecause = reason;
  }

  /** A file the member finds in its directory at its next start. */
  seed(member: string, file: SeedFile): void {
    this.seeds.set(member, [...(this.seeds.get(member) ?? []), file]);
  }

  private async inspect(member: string): Promise<Docker.ContainerInspectInfo | undefined> {
    const docker = await this.docker();
    try {
      return await docker.getContainer(this.containerName(member)).inspect();
    } catch (error) {
      return unlessStatus(error, 404, undefined);
    }
  }

  async state(member: string): Promise<MemberState> {
    const info = await this.inspect(member);
    if (!info) return { running: false, paused: false, detail: 'no container' };
    const { State } = info;
    if (!State.Running && !State.Paused)
      return {
        running: false,
        paused: false,
        detail: `container ${State.Status} (exit code ${State.ExitCode})`,
      };
    return {
      running: true,
      paused: State.Paused,
      ...(State.Pid ? { pid: State.Pid } : {}),
      uptimeS: Math.max(0, Math.round((Date.now() - Date.parse(State.StartedAt)) / 1000)),
      ...(State.Paused ? { detail: 'container paused' } : {}),
    };
  }

  /** Starts under way: a clean-up waits for them, so none creates anything behind it. */
  private readonly starting = new Set<Promise<void>>();

  start(launch: MemberLaunch): Promise<void> {
    const started = this.create(launch);
    this.starting.add(started);
    const forget = () => void this.starting.delete(started);
    started.then(forget, forget);
    return started;
  }

  private async create(launch: MemberLaunch): Promise<void> {
    for (const { host } of launch.published) {
      if (!(await isPortFree(host, this.host))) {
        throw new StackError({
          component: launch.member,
          message: `port ${this.host}:${host} is already in use by another process`,
          hint: `find the owner with \`ss -ltnp 'sport = :${host}'\` and stop it, or run a separate stack with \`--instance test\``,
        });
      }
    }
    const docker = await this.docker();
    await this.ensureNetwork(docker);
    const images = await this.images();
    const options = this.createOptions(images, launch, launch.args);
    if (this.reuse && (await this.startAgain(docker, launch.member, options))) return;
    await this.removeContainer(docker, launch.member);
    const newData = this.keepsFiles(launch) && (await this.ensureVolume(docker, launch));
    const files = await this.archiveOf(launch);
    if (launch.init && newData) await this.runInit(docker, images, launch, files);
    if (this.closedBecause)
      throw new StackError({ component: launch.member, message: `not started: ${this.closedBecause}` });
    const container = await docker.createContainer(options);
    if (this.keepsFiles(launch)) await container.putArchive(files, { path: MEMBER_DIR });
    await container.start();
    this.seeds.delete(launch.member);
  }

  /**
   * Starts the member's existing container again when it was made from the same image and
   * settings (its label says which): says whether it did. Its volume has its files already.
   */
  private async startAgain(
    docker: Docker,
    member: string,
    options: Docker.ContainerCreateOptions,
  ): Promise<boolean> {
    const info = await this.inspect(member);
    if (!info || info.Config.Labels[LABELS.settings] !== options.Labels![LABELS.settings]) return false;
    if (this.seedsOf(member).length > 0) return false; // a restore places files: made anew
    if (!info.State.Running) await docker.getContainer(info.Id).start();
    return true;
  }

  private createOptions(
    images: ImageSet,
    launch: MemberLaunch,
    args: string[],
  ): Docker.ContainerCreateOptions {
    const { image, command, user } = images[launch.program];
    const ports = Object.fromEntries(
      launch.published.map((p) => [`${p.member}/tcp`, [{ HostIp: this.host, HostPort: String(p.host) }]]),
    );
    // What the container is made from: the same settings and image can be reused as they are.
    const settings = createHash('sha256')
      .update(JSON.stringify({ image, args, launch }))
      .digest('hex')
      .slice(0, 16);
    return {
      name: this.containerName(launch.member),
      Image: image,
      Cmd: command(args),
      ...(user ? { User: user } : {}),
      Env: Object.entries(launch.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Labels: {
        [LABELS.provider]: 'containers',
        [LABELS.instance]: this.instance,
        [LABELS.member]: launch.member,
        [LABELS.component]: launch.component,
        [LABELS.startedAt]: String(Date.now()),
        [LABELS.settings]: settings,
      },
      ExposedPorts: Object.fromEntries(launch.published.map((p) => [`${p.member}/tcp`, {}])),
      HostConfig: {
        NetworkMode: this.network,
        PortBindings: ports,
        ...(this.keepsFiles(launch) ? { Binds: [`${this.volumeName(launch.member)}:${MEMBER_DIR}`] } : {}),
        // Each member writes only its volume and /tmp, as its image's own user, with no capability.
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=256m' },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
      },
      // On the instance's network only, by its member name (not also on the engine's default bridge).
      NetworkingConfig: { EndpointsConfig: { [this.network]: { Aliases: [launch.member] } } },
    };
  }

  /** Members with files or data of their own get a volume for them; the Node members keep nothing. */
  private keepsFiles(launch: MemberLaunch): boolean {
    return (launch.files?.length ?? 0) + (launch.dirs?.length ?? 0) + this.seedsOf(launch.member).length > 0;
  }

  private seedsOf(member: string): SeedFile[] {
    return this.seeds.get(member) ?? [];
  }

  /**
   * The member's files and directories as a tar for its volume. Written as root by the engine, so
   * readable and writable by the image's own user (Sentinel rewrites its config in place); the
   * volume is the member's alone.
   */
  private async archiveOf(launch: MemberLaunch): Promise<Buffer> {
    const entries: { name: string; content?: Buffer }[] = [
      ...(launch.dirs ?? []).map((d) => ({ name: d })),
      ...(launch.files ?? []).map((f) => ({ name: f.name, content: Buffer.from(f.content) })),
    ];
    for (const seed of this.seedsOf(launch.member))
      entries.push({ name: seed.name, content: await readFile(seed.path) });
    const tar = pack();
    for (const entry of entries) {
      const name = entry.name;
      if (entry.content) tar.entry({ name, mode: 0o666 }, entry.content);
      else tar.entry({ name, type: 'directory', mode: 0o777 });
    }
    tar.finalize();
    return buffer(tar);
  }

  /** The member's one-off set-up (Kafka's storage format) in a container of its image, on its new volume. */
  private async runInit(
    docker: Docker,
    images: ImageSet,
    launch: MemberLaunch,
    files: Buffer,
  ): Promise<void> {
    const init = launch.init!;
    const options = this.createOptions(images, launch, init.args);
    const container = await docker.createContainer({
      ...options,
      name: `${options.name}-init`,
      ExposedPorts: {},
      HostConfig: { ...options.HostConfig, PortBindings: {} },
    });
    try {
      await container.putArchive(files, { path: MEMBER_DIR });
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      if (StatusCode !== 0) {
        const logs = demuxLogs(
          (await container.logs({ stdout: true, stderr: true, tail: 15 })) as unknown as Buffer,
        );
        throw new StackError({
          component: launch.member,
          message: `${init.what} failed (exit code ${StatusCode})`,
          logTail: logs,
          hint: init.hint,
        });
      }
    } finally {
      await container.remove(REMOVE).catch(() => {});
    }
  }

  /** The instance's network, made once per process (members start side by side). */
  private networkReady: Promise<void> | undefined;

  private ensureNetwork(docker: Docker): Promise<void> {
    this.networkReady ??= (async () => {
      const existing = await docker.listNetworks({ filters: { name: [this.network] } });
      if (existing.some((n) => n.Name === this.network)) return;
      await docker.createNetwork({
        Name: this.network,
        Labels: { [LABELS.provider]: 'containers', [LABELS.instance]: this.instance },
      });
    })().catch((error: unknown) => {
      this.networkReady = undefined;
      throw error;
    });
    return this.networkReady;
  }

  /** Creates the member's volume when it has none; says whether its data is new. */
  private async ensureVolume(docker: Docker, launch: MemberLaunch): Promise<boolean> {
    const name = this.volumeName(launch.member);
    try {
      await docker.getVolume(name).inspect();
      return false;
    } catch (error) {
      unlessStatus(error, 404, undefined);
    }
    await docker.createVolume({
      Name: name,
      Labels: {
        [LABELS.provider]: 'containers',
        [LABELS.instance]: this.instance,
        [LABELS.member]: launch.member,
        [LABELS.startedAt]: String(Date.now()),
      },
    });
    return true;
  }

  private async removeContainer(docker: Docker, member: string): Promise<void> {
    await docker
      .getContainer(this.containerName(member))
      .remove(REMOVE)
      .catch((error: unknown) => unlessStatus(error, 404, undefined));
  }

  async stop(member: string, graceMs: number): Promise<void> {
    const docker = await this.docker();
    const container = docker.getContainer(this.containerName(member));
    const info = await this.inspect(member);
    if (!info) return;
    if (info.State.Paused) await container.unpause();
    if (info.State.Running || info.State.Paused)
      await container
        .stop({ t: Math.ceil(graceMs / 1000) })
        .catch((error: unknown) => unlessStatus(error, 304, undefined)); // 304: already stopped
    if (!this.keepStopped) await this.removeContainer(docker, member);
  }

  async kill(member: string): Promise<void> {
    const docker = await this.docker();
    await docker
      .getContainer(this.containerName(member))
      .kill({ signal: 'SIGKILL' })
      .catch((error: unknown) => unlessStatus(error, [409, 404], undefined)); // not running: nothing to kill
    while ((await this.state(member)).running) await sleep(20);
  }

  async pause(member: string): Promise<void> {
    const docker = await this.docker();
    await docker.getContainer(this.containerName(member)).pause();
  }

  async resume(member: string): Promise<void> {
    const docker = await this.docker();
    await docker.getContainer(this.containerName(member)).unpause();
  }

  /** The last lines of the member's container log (stdout and stderr), as the engine keeps it. */
  async logTail(member: string, lines = 15): Promise<string> {
    const docker = await this.docker();
    const raw = await docker
      .getContainer(this.containerName(member))
      .logs({ stdout: true, stderr: true, tail: lines, follow: false });
    return demuxLogs(raw as unknown as Buffer);
  }

  watch(member: string): WatchedProcess {
    return {
      member,
      logTail: () => this.logTail(member),
      isRunning: async () => (await this.state(member)).running,
    };
  }

  /**
   * Filters for this instance's objects. The engine filters by label too, but each object's labels
   * are checked again here: Podman 4.3's volume list matched another instance's volumes by the key alone.
   */
  private get labelFilter() {
    return { label: [`${LABELS.instance}=${this.instance}`, `${LABELS.provider}=containers`] };
  }

  private ours(labels: Record<string, string> | undefined): boolean {
    return labels?.[LABELS.instance] === this.instance && labels[LABELS.provider] === 'containers';
  }

  /** Every container of this instance, whatever its state (members of an older topology too). */
  async containers(): Promise<Docker.ContainerInfo[]> {
    const docker = await this.docker();
    const listed = await docker.listContainers({ all: true, filters: this.labelFilter });
    return listed.filter((c) => this.ours(c.Labels));
  }

  private async networks(docker: Docker): Promise<Docker.NetworkInspectInfo[]> {
    return (await docker.listNetworks({ filters: this.labelFilter })).filter((n) => this.ours(n.Labels));
  }

  private async volumes(docker: Docker): Promise<Docker.VolumeInspectInfo[]> {
    const { Volumes } = await docker.listVolumes({ filters: this.labelFilter });
    return (Volumes ?? []).filter((v) => this.ours(v.Labels));
  }

  /** Every container, network and volume of this instance the engine holds, named. */
  async labelled(): Promise<string[]> {
    const docker = await this.docker();
    const containers = (await this.containers()).map((c) => `container ${c.Names[0]?.replace(/^\//, '')}`);
    const networks = (await this.networks(docker)).map((n) => `network ${n.Name}`);
    const volumes = (await this.volumes(docker)).map((v) => `volume ${v.Name}`);
    return [...containers, ...networks, ...volumes];
  }

  /**
   * Removes what a failed or interrupted start made: its containers, the volumes it created (they
   * hold nothing from before), and the network when no container of the instance is left on it.
   * Says which members it removed.
   */
  async removeStartedSince(since: number): Promise<string[]> {
    await Promise.allSettled([...this.starting]);
    const docker = await this.docker();
    const made = (labels: Record<string, string>) => Number(labels[LABELS.startedAt]) >= since;
    const all = await this.containers();
    const fresh = all.filter((c) => made(c.Labels));
    await Promise.all(
      fresh.map((c) =>
        docker
          .getContainer(c.Id)
          .remove(REMOVE)
          .catch(() => {}),
      ),
    );
    for (const volume of await this.volumes(docker))
      if (made(volume.Labels))
        await docker
          .getVolume(volume.Name)
          .remove()
          .catch(() => {});
    if (fresh.length === all.length)
      for (const network of await this.networks(docker))
        await docker
          .getNetwork(network.Id)
          .remove()
          .catch(() => {});
    return fresh.map((c) => c.Labels[LABELS.member]!);
  }

  /** Removes every container of this instance and its network; its volumes (the data) stay unless `volumes`. */
  async removeAll(options: { volumes: boolean }): Promise<number> {
    const docker = await this.docker();
    const containers = await this.containers();
    await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove(REMOVE)));
    for (const network of await this.networks(docker)) await docker.getNetwork(network.Id).remove();
    if (options.volumes)
      for (const volume of await this.volumes(docker)) await docker.getVolume(volume.Name).remove();
    return containers.length;
  }

  /** Memory the instance's running containers use now, in bytes (the engine's cgroup figures). */
  async residentBytes(): Promise<number> {
    const docker = await this.docker();
    const running = (await this.containers()).filter((c) => c.State === 'running');
    const usage = await Promise.all(
      running.map(async (c) => {
        const stats = (await docker.getContainer(c.Id).stats({ stream: false })) as {
          memory_stats?: { usage?: number; stats?: { inactive_file?: number; cache?: number } };
        };
        // As `docker stats` counts: the cgroup's usage without the file cache it could drop.
        const memory = stats.memory_stats;
        return Math.max(
          0,
          (memory?.usage ?? 0) - (memory?.stats?.inactive_file ?? memory?.stats?.cache ?? 0),
        );
      }),
    );
    return usage.reduce((a, b) => a + b, 0);
  }
}

/** `value` when the engine answered one of `codes` (e.g. 404: no such container), else the error again. */
function unlessStatus<T>(error: unknown, codes: number | number[], value: T): T {
  const code = (error as { statusCode?: number }).statusCode;
  if (code !== undefined && ([] as number[]).concat(codes).includes(code)) return value;
  throw error;
}
