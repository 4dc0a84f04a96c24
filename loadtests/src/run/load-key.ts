import { openProvider } from '@stackdrill/stack';
import { localInstanceOf } from './local-instance.ts';
import { LOAD_KEY_ENV } from '../model/load-mark.ts';

export interface LoadKey {
  key: string;
  /** Where it came from, to say so. */
  source: string;
}

/**
 * The key that signs the load's mark: STACKDRILL_LOAD_KEY when set (a remote target's), otherwise,
 * when the target is a local instance's gateway, that instance's own (made on its first start and
 * kept in its state). None: the load goes unmarked, under the target's per-IP limit.
 */
export async function loadKeyFor(target: string, env = process.env): Promise<LoadKey | undefined> {
  const given = env[LOAD_KEY_ENV];
  if (given) return { key: given, source: LOAD_KEY_ENV };
  const name = localInstanceOf(target);
  if (!name) return undefined;
  const key = (await openProvider(name)).appSecrets()?.loadKey;
  return key ? { key, source: `the ${name} instance's state` } : undefined;
}
