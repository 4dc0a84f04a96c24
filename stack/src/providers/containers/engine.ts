import { request } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathExists, StackError } from '@stackdrill/toolkit';

/** A container engine that speaks the Docker API: Docker itself, or Podman's compatible service. */
export interface Engine {
  kind: 'docker' | 'podman';
  /** Where its API answers: `unix:///path` or `tcp://host:port`, as DOCKER_HOST spells it. */
  host: string;
  version: string;
  apiVersion: string;
}

/**
 * Where engines usually listen, in the order they are tried when DOCKER_HOST is not set: Linux
 * Docker, rootful Podman, rootless Podman, Docker Desktop, Colima.
 */
export function candidateHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME ?? homedir();
  return [
    '/var/run/docker.sock',
    '/run/podman/podman.sock',
    ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock')] : []),
    join(home, '.docker', 'run', 'docker.sock'),
    join(home, '.colima', 'default', 'docker.sock'),
  ].map((path) => `unix://${path}`);
}

/**
 * The engine the containers provider will use: DOCKER_HOST when set (and it must answer), else the
 * first usual socket that exists and answers. Says which were tried, and what to do, when none does.
 */
export async function detectEngine(
  env: NodeJS.ProcessEnv = process.env,
  candidates: string[] = candidateHosts(env),
): Promise<Engine> {
  if (env.DOCKER_HOST) {
    try {
      return await askEngine(env.DOCKER_HOST);
    } catch (error) {
      throw new StackError({
        component: 'containers',
        message: `the container engine at DOCKER_HOST=${env.DOCKER_HOST} does not answer: ${(error as Error).message}`,
        hint: 'start it (Docker: `sudo systemctl start docker`, or Docker Desktop; Podman: `podman system service --time=0 unix:///run/podman/podman.sock &`), or unset DOCKER_HOST to use a usual socket',
        cause: error,
      });
    }
  }
  const tried: string[] = [];
  for (const host of candidates) {
    if (!(await pathExists(host.slice('unix://'.length)))) continue;
    try {
      return await askEngine(host);
    } catch (error) {
      tried.push(`${host}: ${(error as Error).message}`);
    }
  }
  throw new StackError({
    component: 'containers',
    message: tried.length
      ? `no container engine answers (${tried.join('; ')})`
      : `no container engine found: DOCKER_HOST is not set and none of ${candidates
          .map((h) => h.slice('unix://'.length))
          .join(', ')} exists`,
    hint: 'install Docker or Podman and start it, or set DOCKER_HOST (e.g. unix:///run/podman/podman.sock for `podman system service`)',
  });
}

/** Asks an engine who it is: `/_ping`, then `/version` (Podman names itself among the components). */
export async function askEngine(host: string): Promise<Engine> {
  const ping = await apiGet(host, '/_ping');
  if (ping.trim() !== 'OK') throw new Error(`/_ping answered ${JSON.stringify(ping.slice(0, 80))}, not OK`);
  const version = JSON.parse(await apiGet(host, '/version')) as {
    Version?: string;
    ApiVersion?: string;
    Components?: { Name?: string }[];
  };
  const podman = (version.Components ?? []).some((c) => /podman/i.test(c.Name ?? ''));
  return {
    kind: podman ? 'podman' : 'docker',
    host,
    version: version.Version ?? 'unknown',
    apiVersion: version.ApiVersion ?? 'unknown',
  };
}

/** One GET on the engine's API, over its unix socket or TCP, within 3 s. */
function apiGet(host: string, path: string): Promise<string> {
  const where = host.startsWith('unix://')
    ? { socketPath: host.slice('unix://'.length) }
    : (() => {
        const url = new URL(host.replace(/^tcp:/, 'http:'));
        return { host: url.hostname, port: Number(url.port || 2375) };
      })();
  return new Promise((resolve, reject) => {
    const req = request({ ...where, path, method: 'GET', timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`${path} answered ${res.statusCode}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer within 3 s`)));
    req.on('error', reject);
    req.end();
  });
}
