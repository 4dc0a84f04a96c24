#!/usr/bin/env node
// The one dependency-free entry point behind every package script: on a fresh clone it installs
// pnpm and the workspace dependencies, then runs scripts/<command>.ts with tsx. Node built-ins only.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [command, ...args] = process.argv.slice(2);
const entry = command && join(root, 'scripts', `${command}.ts`);
if (!entry || !existsSync(entry)) {
  console.error(`usage: node scripts/run.mjs <command> [args]  (no scripts/${command ?? '<command>'}.ts)`);
  process.exit(2);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(
    `stackdrill needs Node 20.19 or newer (this is ${process.version}); install it, then run this again.`,
  );
  process.exit(1);
}

const mtime = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const installed = mtime(join(root, 'node_modules', '.modules.yaml'));
if (installed === 0 || mtime(join(root, 'pnpm-lock.yaml')) > installed) installDependencies();

const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: root, stdio: 'inherit' });
// Ctrl-C reaches the child through the terminal's process group, so we only wait for it to finish;
// a SIGTERM sent to us alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));

function installDependencies() {
  const wanted = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.replace(
    /^pnpm@/,
    '',
  );
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
