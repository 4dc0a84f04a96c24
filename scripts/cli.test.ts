import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The real entry points, as a user runs them; none of these reach the point of starting anything.
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['scripts/run.mjs', ...args], { encoding: 'utf8' });

describe('stack CLI input errors', () => {
  it('when stack:up gets an unknown flag, then it exits 2 and lists the valid flags', () => {
    const result = run('stack-up', '--frseh');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown option '--frseh'");
    expect(result.stderr).toContain('--fresh');
  });

  it('when stack:up is asked for a provider that does not exist yet, then it exits 2 and lists providers', () => {
    const result = run('stack-up', '--provider', 'kind');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('provider "kind" is not available yet');
  });

  it('when images:build is asked for an image it does not build, then it exits 2 and lists the images', () => {
    const result = run('images-build', '--offline', '--only', 'mongo');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no image named mongo; images: redis, kafka, ferretdb, toxiproxy');
  });

  it('when images:build is asked online for the Kafka image, then it exits 2 and says the stack pulls the official one', () => {
    const result = run('images-build', '--only', 'kafka');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('kafka is built with --offline only');
    expect(result.stderr).toContain('apache/kafka');
  });

  it('when stack:logs names no component, then it exits 2 and lists components and members', () => {
    const result = run('stack-logs', '--instance', 'bench');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Components: mongo, redis, kafka');
    expect(result.stderr).toContain('sentinel-0');
  });

  it('when an instance is not running, then stack:status exits 1 with every member down, without probing', () => {
    // The bench instance is only up while `pnpm bench:api` runs.
    const result = run('stack-status', '--instance', 'bench', '--json');
    expect(result.status).toBe(1);
    const { components } = JSON.parse(result.stdout) as {
      components: { flavor: string; members: { role: string; detail: string }[] }[];
    };
    expect(components.map((c) => c.flavor)).toEqual([
      'not running',
      'not running',
      'not running',
      'not running',
    ]);
    for (const member of components.flatMap((c) => c.members)) {
      expect(member).toMatchObject({ role: 'down', detail: 'not running' });
    }
  });

  it('when the entry point does not exist, then run.mjs says so', () => {
    const result = run('stack-sideways');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no scripts/stack-sideways.ts');
  });
});

describe('the entry point and the Node it runs under', () => {
  /** Whether the entry point runs on this Node as it is (22.22 or newer), as run.mjs decides. */
  const runsAsIs = (version: string) => {
    const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
    return major > 22 || (major === 22 && minor >= 22);
  };
  const pinned = (JSON.parse(readFileSync('package.json', 'utf8')) as { stackdrill: { node: string } })
    .stackdrill.node;

  it.skipIf(!runsAsIs(process.version))(
    'when the Node is 22.22 or newer, then it runs the command under it and fetches nothing',
    () => {
      const cache = mkdtempSync(join(tmpdir(), 'stackdrill-cache-'));
      try {
        const result = spawnSync(process.execPath, ['scripts/run.mjs', 'stack-status', '--help'], {
          encoding: 'utf8',
          env: { ...process.env, STACKDRILL_CACHE_DIR: cache },
        });
        expect(result.status).toBe(0);
        expect(result.stdout).toContain('pnpm stack:status');
        expect(result.stderr).not.toContain('stackdrill: this is Node');
        expect(readdirSync(cache)).toEqual([]);
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    },
  );

  // A machine's own older Node (this one's is 20), with the pinned Node already in the cache.
  const older = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
    const version = spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout?.trim();
    return version !== undefined && version !== '' && !runsAsIs(version);
  });
  const cached = join(
    process.env.STACKDRILL_CACHE_DIR ?? join(homedir(), '.cache', 'stackdrill'),
    'node',
    `${pinned}-${process.platform}-${process.arch}`,
    'bin',
    'node',
  );

  it.skipIf(!older || !existsSync(cached))(
    'when the Node is older than 22.22, then it says so and runs the command under the pinned Node',
    () => {
      const result = spawnSync(older!, ['scripts/run.mjs', 'stack-status', '--help'], { encoding: 'utf8' });
      expect(result.status).toBe(0);
      expect(result.stderr).toContain(`running under Node ${pinned}`);
      expect(result.stdout).toContain('pnpm stack:status');
    },
  );
});
