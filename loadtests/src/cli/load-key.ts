import { INSTANCES, NativeProvider, resolveInstance, type InstanceName } from '@stackdrill/stack';
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
  const origin = new URL(target).origin;
  for (const name of Object.keys(INSTANCES) as InstanceName[]) {
    const { host, app } = resolveInstance(name);
    if (origin !== `http://${host}:${app.gateway.port}`) continue;
    const key = (await NativeProvider.open(name)).store.state.facts.appSecrets?.loadKey;
    return key ? { key, source: `the ${name} instance's state` } : undefined;
  }
  return undefined;
}
