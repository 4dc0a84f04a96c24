import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StackError } from '@stackdrill/toolkit';
import { MongoClient } from 'mongodb';
import { resolveInstance } from '@stackdrill/facts';
import { afterEach, describe, expect, it } from 'vitest';
import { buildImages } from '../../images/build-images.ts';
import { UpFailed, type UpEvent } from '../provider.ts';
import { recordedProvider } from '../registry.ts';
import { testInstance } from '../../testing/test-instance.ts';
import { ContainersProvider } from './containers-provider.ts';
import { ensureImages, stackImages } from './stack-images.ts';
import type { ImageSet } from './container-runtime.ts';
import type { ImagesMode } from '../../images/build-images.ts';
import { sharedEngine } from './engine-connection.ts';
import { demuxLogs } from './log-frames.ts';
import type Docker from 'dockerode';

/**
 * How the containers provider fails, on this machine's engine (Podman) with the offline images, on
 * the `bench` instance: each failure names what failed and what to do, and leaves nothing behind.
 * What it does when it works is the provider contract's, run on `test-containers` by `pnpm test`'s
 * containers leg, which also runs the last describe here, on that stack.
 */
const bench = (imagesFor: (mode: ImagesMode) => ImageSet = stackImages) =>
  ContainersProvider.open('bench', imagesFor);

/** The error `up` failed with: the first one when it is an UpFailed. */
async function upError(provider: ContainersProvider): Promise<unknown> {
  const error = await provider.up({ fresh: true, dataOnly: true }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof UpFailed ? error.errors[0] : error;
}

/** What of the instance the engine holds (its state file stays until the purge after each test). */
const inEngine = async (provider: ContainersProvider) =>
  (await provider.leftovers()).filter((left) => !left.startsWith('directory '));

const text = (error: unknown) => (error instanceof StackError ? error.describe() : String(error));

describe('the containers provider when something is wrong', () => {
  afterEach(async () => {
    const provider = await bench();
    await provider.down();
    await provider.purge();
    expect(await provider.leftovers()).toEqual([]);
  });

  it('when DOCKER_HOST names an engine that does not answer, then up says so and what to start', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = `unix://${join(tmpdir(), `no-engine-${process.pid}.sock`)}`;
    sharedEngine.connection = undefined; // the process's engine is chosen at its first use
    try {
      const error = await upError(await bench());
      expect(error).toBeInstanceOf(StackError);
      expect(text(error)).toContain(
        `the container engine at DOCKER_HOST=${process.env.DOCKER_HOST} does not answer`,
      );
      expect(text(error)).toMatch(/podman system service|systemctl start docker/);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
      sharedEngine.connection = undefined;
    }
  });

  it('when the images are built on the other base than --images asks, then up names them and says what to build or pass, before starting anything', async () => {
    await buildImages({ offline: true }); // a check when they are built (the layer cache)
    const provider = await bench();
    const error = await provider
      .up({ fresh: true, dataOnly: true, images: 'public' })
      .catch((e: unknown) => e);
    expect(text(error)).toMatch(
      /every image \(.*localhost\/stackdrill\/redis:7.0.*\) are built on the offline base/,
    );
    expect(text(error)).toContain('this stack runs the public images');
    expect(text(error)).toMatch(/`pnpm images:build`.*`--images offline`/);
    expect(await inEngine(provider)).toEqual([]);
  }, 240_000);

  it('when an image that is not one the stack builds is missing, then up names it and says how to build it, before starting anything', async () => {
    const provider = await bench((mode) => {
      const images = stackImages(mode);
      return {
        ...images,
        'redis-server': { ...images['redis-server'], image: 'localhost/stackdrill/redis:never-built' },
      };
    });
    const error = await upError(provider);
    expect(text(error)).toContain('the engine has no localhost/stackdrill/redis:never-built');
    expect(text(error)).toContain('pnpm images:build --offline');
    expect(await inEngine(provider)).toEqual([]);
  });

  it('when a published image is missing and no registry gives it, then up says which and that --images offline needs none, before starting anything', async () => {
    // A digest no registry has: here no registry answers at all, elsewhere Docker Hub has no such manifest.
    const absent = `docker.io/apache/kafka@sha256:${'0'.repeat(64)}`;
    const events: UpEvent[] = [];
    const published = (mode: ImagesMode): ImageSet => {
      const images = stackImages(mode);
      return Object.fromEntries(
        Object.entries(images).map(([program, image]) => [program, { ...image, image: absent }]),
      ) as ImageSet;
    };
    const error = await ensureImages(await sharedEngine.docker(), published, {
      asked: 'public',
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);
    expect(events).toContainEqual({ type: 'images-pull', image: absent, state: 'pulling' });
    expect(text(error)).toContain(`pulling ${absent} failed`);
    expect(text(error)).toContain('`stack:up --images offline`');
    expect(await inEngine(await bench())).toEqual([]);
  }, 120_000);

  // One start-up for both (each waits for the rest of the data tier to settle first).
  it('when one of the stack’s images is missing, a member port is taken on loopback and another member exits before it answers, then up builds the image first, names each failure (the exit with its container log) and removes what it made', async () => {
    // The fault proxy's image untagged (a running stack may use it): up builds it again, from the layer cache.
    const proxyImage = stackImages('offline').toxiproxy.image;
    const docker = await sharedEngine.docker();
    // A second tag first, so that removing the first only untags (engines remove an image with its last tag).
    const spare = { repo: 'localhost/stackdrill/test-spare', tag: 'toxiproxy' };
    await docker.getImage(proxyImage).tag(spare);
    await docker.getImage(proxyImage).remove();
    await expect(docker.getImage(proxyImage).inspect()).rejects.toThrow();
    const port = resolveInstance('bench').redis.dataNodes[0]!.port;
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    // MongoDB's member run from the Redis image: redis-server refuses FerretDB's flags and exits.
    const imagesFor = (mode: ImagesMode): ImageSet => {
      const images = stackImages(mode);
      return {
        ...images,
        ferretdb: { image: images['redis-server'].image, command: images['redis-server'].command },
      };
    };
    try {
      const provider = await bench(imagesFor);
      const events: UpEvent[] = [];
      const failed = await provider
        .up({ fresh: true, dataOnly: true }, (e) => events.push(e))
        .catch((e: unknown) => e);
      expect(
        events.some(
          (e) => e.type === 'images-build' && e.event.type === 'built' && e.event.tag === proxyImage,
        ),
      ).toBe(true);
      expect((await docker.getImage(proxyImage).inspect()).Config.Labels?.['dev.stackdrill.images']).toBe(
        'offline',
      );
      expect(failed).toBeInstanceOf(UpFailed);
      const errors = (failed as UpFailed).errors.map(text).join('\n');
      expect(errors).toContain(`redis-0: port 127.0.0.1:${port} is already in use`);
      expect(errors).toContain('mongo-0: exited while waiting for mongo-0 to answer hello');
      expect(errors).toMatch(/\| .*(Bad directive|FATAL CONFIG|wrong number)/i);
      expect(await inEngine(provider)).toEqual([]);
    } finally {
      squatter.close();
      await docker.getImage(`${spare.repo}:${spare.tag}`).remove();
    }
  }, 240_000);
});

/** /proc/1/status of a running container: the capabilities and flags of its main process. */
async function procStatus(docker: Docker, id: string): Promise<string> {
  const exec = await docker.getContainer(id).exec({ Cmd: ['cat', '/proc/1/status'], AttachStdout: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return demuxLogs(Buffer.concat(chunks));
}

/** On the suite's own stack when it runs on containers (`pnpm test`'s containers leg). */
describe.runIf(recordedProvider(testInstance()) === 'containers')(
  'the containers provider on the running stack',
  () => {
    it('when the stack runs, then every member is a container on the instance’s network only, published on 127.0.0.1 only, as a non-root user with a read-only root and no capability', async () => {
      const provider = await ContainersProvider.open(testInstance());
      const docker = await sharedEngine.docker();
      const members = provider.handles().flatMap((h) => h.memberNames());
      const seen = [];
      for (const container of await provider.containers.containers()) {
        const info = await docker.getContainer(container.Id).inspect();
        if (!info.State.Running) continue;
        const member = info.Config.Labels['dev.stackdrill.member'];
        seen.push(member);
        const what = `${member}: ${JSON.stringify({ user: info.Config.User, host: info.HostConfig })}`;
        expect(Object.keys(info.NetworkSettings.Networks), what).toEqual([provider.containers.network]);
        // A port the image exposes and nothing publishes has no binding (null).
        const bindings = Object.values(info.HostConfig.PortBindings ?? {})
          .flat()
          .filter(Boolean) as { HostIp: string }[];
        expect(bindings.length, what).toBeGreaterThan(0);
        for (const binding of bindings) expect(binding.HostIp, what).toBe('127.0.0.1');
        expect(info.Config.User, what).not.toMatch(/^(|root|0)(:|$)/);
        expect(info.HostConfig.ReadonlyRootfs, what).toBe(true);
        // What its process has, as the kernel says (engines report a dropped ALL differently).
        const status = await procStatus(docker, container.Id);
        expect(status, member).toMatch(/^CapBnd:\s+0+$/m);
        expect(status, member).toMatch(/^CapEff:\s+0+$/m);
        expect(status, member).toMatch(/^NoNewPrivs:\s+1$/m);
      }
      expect(seen.sort()).toEqual(expect.arrayContaining(members.sort()));
    });

    it('when this machine’s client connects to MongoDB, then it reaches the member by its name on the network, through the gate; with the gate stopped, status says so and up starts it again', async () => {
      const provider = await ContainersProvider.open(testInstance());
      const { uri } = provider.endpoints('host').mongo;
      const { gate } = resolveInstance(testInstance()).mongo;
      // A name only the instance's network resolves, and the gate as the driver's proxy.
      expect(uri).toMatch(/^mongodb:\/\/mongo-0:\d+\//);
      expect(uri).toContain(`proxyHost=127.0.0.1&proxyPort=${gate.port}`);
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
      try {
        const notes = client.db('stackdrill-test').collection('gate');
        const { insertedId } = await notes.insertOne({ at: new Date() });
        expect(await notes.findOne({ _id: insertedId })).not.toBeNull();
        await notes.deleteOne({ _id: insertedId });
      } finally {
        await client.close();
      }
      const docker = await sharedEngine.docker();
      await docker.getContainer(provider.containers.containerName(gate.name)).kill();
      const status = await provider.handle('mongo').status();
      expect(status.healthy).toBe(false);
      expect(status.problems.join('\n')).toContain(
        `its gate (${gate.name}, SOCKS5 on 127.0.0.1:${gate.port})`,
      );
      const cut = new MongoClient(uri, { serverSelectionTimeoutMS: 1500 });
      await expect(cut.db('admin').command({ ping: 1 })).rejects.toThrow();
      await cut.close();
      expect((await provider.up({ dataOnly: true })).outcomes.mongo).toBe('started');
      expect((await provider.handle('mongo').status()).healthy).toBe(true);
    }, 60_000);

    it('when a Kafka member’s container is made anew, then the anonymous volumes its image declares go with the old one', async () => {
      const provider = await ContainersProvider.open(testInstance());
      const docker = await sharedEngine.docker();
      const kafka = provider.handle('kafka');
      const member = kafka.memberNames().at(-1)!;
      // Its own volume is named; the image's three (as the official image's) are anonymous.
      const anonymous = async () =>
        (await docker.getContainer(provider.containers.containerName(member)).inspect()).Mounts.filter(
          (m) => m.Type === 'volume' && m.Name !== provider.containers.volumeName(member),
        ).map((m) => m.Name!);
      const before = await anonymous();
      expect(before).toHaveLength(3);
      await kafka.kill(member);
      await provider.up({ dataOnly: true });
      const volumes = ((await docker.listVolumes()).Volumes ?? []).map((v) => v.Name);
      for (const volume of before)
        expect(volumes, 'an anonymous volume of the old container').not.toContain(volume);
      expect(await anonymous()).toHaveLength(3);
      expect((await provider.status({ dataOnly: true })).every((c) => c.healthy)).toBe(true);
    }, 120_000);

    it('when a member was killed and up runs with --reuse, then its own container starts again; without it, one is made anew', async () => {
      const provider = await ContainersProvider.open(testInstance());
      const docker = await sharedEngine.docker();
      // A replica: killing it moves no master, so its settings (which name the master) stay the same.
      const [replica] = await provider.handle('redis').members({ role: 'replica' });
      const member = replica!.name;
      const idOf = async () =>
        (await docker.getContainer(provider.containers.containerName(member)).inspect()).Id;
      // Made anew first: its settings follow the master, which earlier tests (a failover) may have moved.
      await provider.handle('redis').kill(member);
      await provider.up({ dataOnly: true });
      const first = await idOf();
      await provider.handle('redis').kill(member);
      expect((await provider.up({ dataOnly: true, reuse: true })).outcomes.redis).toBe('started');
      expect(await idOf(), 'the same container, started again').toBe(first);
      await provider.handle('redis').kill(member);
      await provider.up({ dataOnly: true });
      expect(await idOf(), 'a new container').not.toBe(first);
      expect((await provider.status({ dataOnly: true })).every((c) => c.healthy)).toBe(true);
    }, 120_000);
  },
);
