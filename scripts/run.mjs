#!/usr/bin/env node
// The one dependency-free entry point behind every package script: under a Node older than 22.22 it
// fetches the pinned Node 24 from the npm registry and runs again under it; on a fresh clone it
// installs pnpm and the workspace dependencies; then it runs scripts/<command>.ts with tsx. Node
// built-ins only.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { constants, homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [command, ...args] = process.argv.slice(2);
const entry = command && join(root, 'scripts', `${command}.ts`);
if (!entry || !existsSync(entry)) {
  console.error(`usage: node scripts/run.mjs <command> [args]  (no scripts/${command ?? '<command>'}.ts)`);
  process.exit(2);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/**
 * The oldest Node we run on (@platformatic/kafka needs 22.22 on the 22 line); an older one fetches
 * package.json's `stackdrill.node` and runs under it.
 */
const OLDEST = '22.22';
const [major, minor] = process.versions.node.split('.').map(Number);
const [oldestMajor, oldestMinor] = OLDEST.split('.').map(Number);
if (major < oldestMajor || (major === oldestMajor && minor < oldestMinor)) {
  const node = fetchedNode(pkg.stackdrill.node);
  const child = spawn(node, [fileURLToPath(import.meta.url), command, ...args], {
    cwd: process.cwd(),
    stdio: 'inherit',
    // Everything below (pnpm, tsx, vitest, the stack's own services) finds this Node first.
    env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` },
  });
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
} else {
  run();
}

function run() {
  const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
  const installed = mtime(join(root, 'node_modules', '.modules.yaml'));
  if (installed === 0 || mtime(join(root, 'pnpm-lock.yaml')) > installed) installDependencies();

  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root, stdio: 'inherit' });
  // Ctrl-C reaches the child through the terminal's process group, so we only wait for it to finish;
  // a SIGTERM sent to us alone is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
}

function installDependencies() {
  const wanted = pkg.packageManager.replace(/^pnpm@/, '');
  const have = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  if (have.status !== 0) {
    console.log(`installing pnpm ${wanted} (npm install -g pnpm@${wanted})...`);
    const npm = spawnSync('npm', ['install', '-g', `pnpm@${wanted}`], { stdio: 'inherit' });
    if (npm.status !== 0) {
      console.error(
        `could not install pnpm; run \`npm install -g pnpm@${wanted}\` (or \`corepack enable pnpm\`) and try again.`,
      );
      process.exit(1);
    }
  }
  console.log('installing workspace dependencies (pnpm install)...');
  const flags = process.env.CI ? ['install', '--frozen-lockfile'] : ['install'];
  const pnpm = spawnSync('pnpm', flags, { cwd: root, stdio: 'inherit' });
  if (pnpm.status !== 0) {
    console.error('pnpm install failed: see the output above; the npm registry must be reachable.');
    process.exit(1);
  }
}

/**
 * The Node binary of `version` for this platform, from the npm registry's `node-<platform>-<arch>`
 * package (the official build), kept in the cache outside the repository: fetched once.
 */
function fetchedNode(version) {
  const cache = join(
    process.env.STACKDRILL_CACHE_DIR ??
      join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stackdrill'),
    'node',
    `${version}-${process.platform}-${process.arch}`,
  );
  const node = join(cache, 'bin', 'node');
  if (existsSync(node)) {
    console.error(`stackdrill: this is Node ${process.version}; running under Node ${version} (${node})`);
    return node;
  }
  const name = `node-${process.platform}-${process.arch}@${version}`;
  console.error(
    `stackdrill: this is Node ${process.version}, older than ${OLDEST}; fetching Node ${version} (${name}) from the npm registry into ${cache}...`,
  );
  mkdirSync(dirname(cache), { recursive: true });
  const work = mkdtempSync(`${cache}.partial-`);
  try {
    const pack = spawnSync('npm', ['pack', name, '--silent', '--pack-destination', work], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tarball = pack.stdout.trim().split('\n').pop();
    if (pack.status !== 0 || !tarball) fail(`\`npm pack ${name}\` failed`);
    const untar = spawnSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/bin/node'], {
      stdio: 'inherit',
    });
    if (untar.status !== 0) fail(`unpacking ${tarball} failed`);
    // In place at once: a run interrupted half-way leaves only a partial directory, fetched again.
    renameSync(join(work, 'package'), cache);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return node;

  function fail(what) {
    console.error(
      `${what}. Install Node ${OLDEST} or newer yourself (https://nodejs.org), or make the npm registry reachable, then run this again.`,
    );
    process.exit(1);
  }
}
