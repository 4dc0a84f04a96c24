import { CATALOGUE_PAGE } from '../model/journeys.ts';
import { scenarioBounds, type Profile } from '../model/profiles.ts';

/** Headroom over an even spread: checkouts pick a product of the page at random. */
const HEADROOM = 2;
const MAX_STOCK = 1_000_000;

/**
 * The stock each product of the catalogue page must hold so that the run cannot sell it out: the
 * profile's bound on iterations, times the mix's share of checkouts (one unit each), spread over
 * the page's products, with headroom. Without it a long run (a soak) measured sold-out answers
 * (409: no order, no payment) instead of the order path: the seeded page holds ~1,000 units.
 */
export function stockNeeded(profile: Profile, products: number): number {
  const weights = Object.values(profile.mix).reduce((sum, w) => sum + (w ?? 0), 0);
  const checkouts =
    scenarioBounds(profile.scenario).maxIterations * ((profile.mix['checkout-and-pay'] ?? 0) / weights);
  return Math.min(MAX_STOCK, Math.ceil((checkouts / Math.max(1, products)) * HEADROOM));
}

export interface Restocked {
  products: number;
  toppedUp: number;
  stockEach: number;
}

/**
 * Before the load, as the admin: every product on the catalogue page the journeys buy from is
 * topped up to `stockNeeded` (an inventory adjustment with a reason, through the public API; its
 * Idempotency-Key is per run and product, so a retry counts once).
 */
export async function restockForRun(
  target: string,
  options: { profile: Profile; run: string; adminToken: string; headers: () => Record<string, string> },
): Promise<Restocked> {
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${target}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${options.adminToken}`,
        ...options.headers(),
        ...(init.headers as Record<string, string> | undefined),
      },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok)
      throw new Error(
        `${init.method ?? 'GET'} ${path} answered ${response.status}: ${await response.text()}`,
      );
    return response.json() as Promise<unknown>;
  };
  const page = (await call(CATALOGUE_PAGE)) as { items: { id: string }[] };
  const stockEach = stockNeeded(options.profile, page.items.length);
  let toppedUp = 0;
  for (const { id } of page.items) {
    const { stock } = (await call(`/api/products/${id}`)) as { stock: number };
    if (stock >= stockEach) continue;
    await call(`/api/products/${id}/inventory`, {
      method: 'PATCH',
      headers: { 'Idempotency-Key': `load-restock-${options.run}-${id}` },
      body: JSON.stringify({ delta: stockEach - stock, reason: `stock for load run ${options.run}` }),
    });
    toppedUp++;
  }
  return { products: page.items.length, toppedUp, stockEach };
}
