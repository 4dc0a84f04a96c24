import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InstanceName } from '@stackdrill/facts';

/** The repository root (this file lives in stack/src/). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where an instance keeps its data, rendered configs, logs and process state. Never committed. */
export function stateDir(instance: InstanceName): string {
  const root = process.env.STACKDRILL_STATE_DIR ?? join(REPO_ROOT, '.stack');
  return join(root, instance);
}

/** Downloaded and built dependencies (Kafka jars, FerretDB binary), shared by all clones. */
export function cacheDir(): string {
  if (process.env.STACKDRILL_CACHE_DIR) return process.env.STACKDRILL_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(xdg, 'stackdrill');
}

export interface InstancePaths {
  root: string;
  stateFile: string;
  logs: string;
  member(name: string): string;
  log(name: string): string;
}

export function instancePaths(instance: InstanceName): InstancePaths {
  const root = stateDir(instance);
  return {
    root,
    stateFile: join(root, 'state.json'),
    logs: join(root, 'logs'),
    member: (name) => join(root, 'members', name),
    log: (name) => join(root, 'logs', `${name}.log`),
  };
}
