import { SEED_ACCOUNTS } from '@stackdrill/stack';
import { runProfile, type Account, type Progress } from '../engine/runner.ts';
import { LOAD_KEY_ENV } from '../model/load-mark.ts';
import type { Profile } from '../model/profiles.ts';
import type { LoadSummary } from '../model/summary.ts';
import { loadKeyFor, type LoadKey } from './load-key.ts';
import { probeTarget, provision, restock } from './set-up.ts';

/** A target made ready for a run: it answers like the shop, its key (if any), its stock topped up. */
export interface PreparedLoad {
  target: string;
  loadKey: LoadKey | undefined;
  admin: { email: string; password: string };
  /** This run's id: its customers' addresses and its products' restock carry it. */
  run: string;
}

/**
 * Checks the target, finds its load key (a local instance's own, or STACKDRILL_LOAD_KEY) and tops up
 * the stock the profile's checkouts buy. `note` hears what was done, a line each.
 */
export async function prepareLoad(
  target: string,
  profile: Profile,
  note: (line: string) => void = () => {},
): Promise<PreparedLoad> {
  await probeTarget(target);
  const loadKey = await loadKeyFor(target);
  note(
    loadKey
      ? `load marked (key from ${loadKey.source})`
      : `load unmarked (no load key for ${target}; set ${LOAD_KEY_ENV}): the per-IP limit applies`,
  );
  const admin = {
    email: process.env.LOAD_ADMIN_EMAIL ?? SEED_ACCOUNTS.admin.email,
    password: process.env.LOAD_ADMIN_PASSWORD ?? SEED_ACCOUNTS.admin.password,
  };
  const run = Date.now().toString(36);
  await restock(target, { profile, run, admin, loadKey: loadKey?.key }, note);
  return { target, loadKey, admin, run };
}

/** Customer accounts registered for this run (the journeys that sign in share them). */
export function provisionCustomers(
  prepared: PreparedLoad,
  count: number,
  note: (line: string) => void = () => {},
): Promise<Account[]> {
  return provision(prepared.target, prepared.run, count, prepared.loadKey?.key, note);
}

export interface NodeLoadOptions {
  profileName: string;
  profile: Profile;
  customers: Account[];
  workers?: number | undefined;
  seed?: number | undefined;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

/**
 * The Node engine's run of a profile on a prepared target: the journeys at the profile's arrival
 * rates until the profile ends or the signal aborts. The library call behind `pnpm load --engine
 * node` and the chaos experiments' background load.
 */
export function runNodeLoad(prepared: PreparedLoad, options: NodeLoadOptions): Promise<LoadSummary> {
  return runProfile({
    target: prepared.target,
    profileName: options.profileName,
    profile: options.profile,
    customers: options.customers,
    admin: prepared.admin,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(prepared.loadKey ? { loadKey: prepared.loadKey.key } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
