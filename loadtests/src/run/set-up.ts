import { UsageError } from '@stackdrill/toolkit';
import { restockForRun } from './restock.ts';
import { nodeLoadMarker } from '../engine/node-load-mark.ts';
import type { Account } from '../engine/runner.ts';
import { LOAD_MARK_HEADER } from '../model/load-mark.ts';
import type { Profile } from '../model/profiles.ts';

// What a run needs before its first journey: a target that answers like the shop, customers of its
// own, and stock the checkouts cannot sell out. Shared by `pnpm load` and the chaos experiments'
// background load; each says what it did through `note`.

/** A clear error before any load when the target does not answer like the shop's gateway. */
export async function probeTarget(target: string): Promise<void> {
  let empty = false;
  try {
    const response = await fetch(`${target}/api/products?limit=1`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`GET /api/products answered ${response.status}`);
    empty = ((await response.json()) as { items: unknown[] }).items.length === 0;
  } catch (error) {
    throw new UsageError(
      `the target ${target} does not answer like the shop's gateway (${(error as Error).message}); ` +
        'bring the stack up with `pnpm stack:up`, or pass --target',
    );
  }
  if (empty) {
    throw new UsageError(
      `the catalogue at ${target} is empty, so no journey can buy anything; load it with \`pnpm stack:seed\``,
    );
  }
}

/** Headers of the load's own set-up requests: marked as synthetic, and as the stack's load when there is a key. */
function setupHeaders(loadKey: string | undefined): () => Record<string, string> {
  const mark = loadKey ? nodeLoadMarker(loadKey) : undefined;
  return () => ({
    'x-synthetic-load': 'setup',
    ...(mark ? { [LOAD_MARK_HEADER]: mark(Date.now()) } : {}),
  });
}

/** Customer accounts for the journeys that sign in, registered for this run (and said so). */
export async function provision(
  target: string,
  run: string,
  count: number,
  loadKey: string | undefined,
  note: (line: string) => void = () => {},
): Promise<Account[]> {
  const accounts: Account[] = [];
  const headers = setupHeaders(loadKey);
  for (let i = 0; i < count; i++) {
    const account = { email: `load.${run}.${i}@example.com`, password: 'load-test-password' };
    const response = await fetch(`${target}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers() },
      body: JSON.stringify({ ...account, name: `Load ${i}` }),
    });
    if (response.status !== 201) {
      throw new UsageError(
        `registering load customer ${i} failed: ${response.status} ${await response.text()}`,
      );
    }
    accounts.push(account);
  }
  note(`registered ${count} load customers (load.${run}.*@example.com)`);
  return accounts;
}

/** Tops up the products the checkouts buy (restockForRun), as the admin, and says so. */
export async function restock(
  target: string,
  options: {
    profile: Profile;
    run: string;
    admin: { email: string; password: string };
    loadKey?: string | undefined;
  },
  note: (line: string) => void = () => {},
): Promise<void> {
  const headers = setupHeaders(options.loadKey);
  const signIn = await fetch(`${target}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers() },
    body: JSON.stringify({ grant_type: 'password', ...options.admin }),
  });
  if (signIn.status !== 200) {
    throw new UsageError(
      `signing in as the load's admin (${options.admin.email}) to stock the catalogue failed: ${signIn.status} ` +
        `${await signIn.text()}; seed the stack (\`pnpm stack:seed\`) or set LOAD_ADMIN_EMAIL and LOAD_ADMIN_PASSWORD`,
    );
  }
  const { access_token: adminToken } = (await signIn.json()) as { access_token: string };
  const stocked = await restockForRun(target, {
    profile: options.profile,
    run: options.run,
    adminToken,
    headers,
  });
  note(
    `stock: ${stocked.toppedUp} of the ${stocked.products} products checkouts buy topped up to ${stocked.stockEach} ` +
      `unit${stocked.stockEach === 1 ? '' : 's'} each, so the run cannot sell them out`,
  );
}
