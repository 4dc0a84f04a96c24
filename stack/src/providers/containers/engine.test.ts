import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { candidateHosts, detectEngine } from './engine.ts';

// A fake engine API on a unix socket: the unit test fakes the engine, not what it tests (detection).
let dir: string;
let server: Server | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engine-'));
});
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function fakeEngine(socket: string, version: object, ping = 'OK'): Promise<void> {
  server = createServer((req, res) => {
    if (req.url === '/_ping') return res.end(ping);
    if (req.url === '/version') return res.end(JSON.stringify(version));
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server!.listen(socket, resolve));
}

describe('the container engine', () => {
  it('when DOCKER_HOST names Podman’s API socket, then it is found and known as Podman', async () => {
    const socket = join(dir, 'podman.sock');
    await fakeEngine(socket, {
      Version: '4.3.1',
      ApiVersion: '1.41',
      Components: [{ Name: 'Podman Engine' }],
    });
    expect(await detectEngine({ DOCKER_HOST: `unix://${socket}`, HOME: dir })).toEqual({
      kind: 'podman',
      host: `unix://${socket}`,
      version: '4.3.1',
      apiVersion: '1.41',
    });
  });

  it('when DOCKER_HOST is not set, then the first usual socket that exists and answers is used', async () => {
    const socket = join(dir, 'docker.sock');
    await fakeEngine(socket, { Version: '27.3.1', ApiVersion: '1.47', Components: [{ Name: 'Engine' }] });
    const engine = await detectEngine({ HOME: dir }, [
      `unix://${join(dir, 'absent.sock')}`,
      `unix://${socket}`,
    ]);
    expect(engine).toMatchObject({ kind: 'docker', host: `unix://${socket}`, version: '27.3.1' });
  });

  it('when no usual socket exists, then the error lists where it looked', async () => {
    const absent = `unix://${join(dir, 'absent.sock')}`;
    await expect(detectEngine({ HOME: dir }, [absent])).rejects.toThrow(
      `no container engine found: DOCKER_HOST is not set and none of ${join(dir, 'absent.sock')} exists`,
    );
    expect(candidateHosts({ HOME: '/h', XDG_RUNTIME_DIR: '/run/user/1' })).toEqual([
      'unix:///var/run/docker.sock',
      'unix:///run/podman/podman.sock',
      'unix:///run/user/1/podman/podman.sock',
      'unix:///h/.docker/run/docker.sock',
      'unix:///h/.colima/default/docker.sock',
    ]);
  });

  it('when DOCKER_HOST points at nothing, then the error names it and says what to do', async () => {
    const error = (await detectEngine({ DOCKER_HOST: `unix://${join(dir, 'none.sock')}`, HOME: dir }).catch(
      (e: unknown) => e,
    )) as Error & { hint?: string };
    expect(error.message).toMatch(
      /the container engine at DOCKER_HOST=unix:\/\/.*none\.sock does not answer/,
    );
    expect(error.hint).toMatch(/start it/);
  });

  it('when the engine answers something else than OK, then it is not taken for an engine', async () => {
    const socket = join(dir, 'odd.sock');
    await fakeEngine(socket, {}, 'hello');
    await expect(detectEngine({ DOCKER_HOST: `unix://${socket}`, HOME: dir })).rejects.toThrow(
      /\/_ping answered "hello", not OK/,
    );
  });
});
