import { MongoClient } from 'mongodb';
import { StackError } from '@stackdrill/toolkit';
import type { Provider } from '../providers/provider.ts';
import { SEED_ACCOUNTS, seedCatalogue } from './catalogue.ts';

export interface SeedResult {
  adminToken: string;
  productsCreated: number;
  productsExisting: number;
  customersCreated: number;
}

/**
 * Loads the demo data through the services' public APIs (the services directly, not the gateway: an
 * operator's bulk load is not customer traffic and must not use up the rate limits), so seeding
 * exercises the real paths and emits the real events. Idempotent: existing accounts and SKUs are
 * left as they are. The one step with no API is making the admin an admin: a direct update of the
 * user service's database.
 */
export async function seedStack(
  provider: Provider,
  progress: (message: string) => void = () => {},
): Promise<SeedResult> {
  const { services } = provider.endpoints().app;
  const send = async (method: string, path: string, body?: unknown, token?: string) => {
    const base = path.startsWith('/products') ? services.product! : services.user!;
    const response = await fetch(`${base}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    }).catch((error: unknown) => {
      throw new StackError({
        component: 'seed',
        message: `the service at ${base} does not answer (${(error as Error).message})`,
        hint: 'start the stack first: `pnpm stack:up`',
      });
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  let customersCreated = 0;
  for (const account of [SEED_ACCOUNTS.admin, ...SEED_ACCOUNTS.customers]) {
    const created = await send('POST', '/users', account);
    if (created.status === 201) customersCreated++;
    else if (created.status !== 409) {
      throw new StackError({
        component: 'seed',
        message: `registering ${account.email} failed: ${JSON.stringify(created.body)}`,
      });
    }
  }
  const mongo = new MongoClient(provider.endpoints().mongo.uri);
  try {
    await mongo
      .db('users')
      .collection('users')
      .updateOne({ email: SEED_ACCOUNTS.admin.email }, { $set: { role: 'admin' } });
  } finally {
    await mongo.close();
  }
  const signIn = await send('POST', '/auth/token', {
    grant_type: 'password',
    email: SEED_ACCOUNTS.admin.email,
    password: SEED_ACCOUNTS.admin.password,
  });
  const adminToken = String(signIn.body.access_token);

  const catalogue = seedCatalogue();
  let productsCreated = 0;
  let productsExisting = 0;
  for (const [i, product] of catalogue.entries()) {
    const created = await send('POST', '/products', product, adminToken);
    if (created.status === 201) productsCreated++;
    else if (created.status === 409) productsExisting++;
    else
      throw new StackError({
        component: 'seed',
        message: `creating ${product.sku} failed: ${JSON.stringify(created.body)}`,
      });
    if ((i + 1) % 64 === 0) progress(`${i + 1}/${catalogue.length} products`);
  }
  return {
    adminToken,
    productsCreated,
    productsExisting,
    customersCreated: Math.max(0, customersCreated - 1),
  };
}

/** True when the catalogue has no product yet: an instance that was never seeded. */
export async function catalogueIsEmpty(provider: Provider): Promise<boolean> {
  const url = `${provider.endpoints().app.services.product}/api/products?limit=1`;
  const response = await fetch(url);
  if (!response.ok) {
    throw new StackError({
      component: 'seed',
      message: `asking the product service for its catalogue (${url}) answered ${response.status}`,
      hint: 'see `pnpm stack:logs product`',
    });
  }
  return ((await response.json()) as { items: unknown[] }).items.length === 0;
}
