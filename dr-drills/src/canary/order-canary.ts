import { randomUUID } from 'node:crypto';
import { SEED_ACCOUNTS, type Provider } from '@stackdrill/stack';
import type { CanaryStore } from './canary.ts';

/** One order the canary placed: accepted (201) and, when acknowledged, paid (200). */
export interface CanaryOrder {
  seq: number;
  orderId: string;
  paid: boolean;
}

const RETRIES = 20;
const RETRY_MS = 500;

/**
 * The business canary: a shopper (a seeded customer) placing and paying one order per write,
 * through the gateway, as a client should: every request with an Idempotency-Key, retried with the
 * same key while the answer is a 5xx or nothing (a crashed service), so a retry never makes a
 * second order or a second charge. A write is acknowledged once the payment is answered 200.
 * Afterwards, `stored()` says which acknowledged payments the order service holds as paid.
 */
export class OrderCanary implements CanaryStore {
  readonly datastore = 'orders';
  readonly where = 'POST /api/orders, then its payment (the order service)';
  readonly orders: CanaryOrder[] = [];
  private token = '';
  private readonly gateway: string;

  constructor(
    private readonly provider: Provider,
    private readonly productId: string,
  ) {
    this.gateway = provider.endpoints('host').app.gateway;
  }

  async open(): Promise<void> {
    await this.signIn();
  }

  /** The same orders, asked about through another stack's gateway (the region a backup restored). */
  seenThrough(provider: Provider): OrderCanary {
    const other = new OrderCanary(provider, this.productId);
    other.orders.push(...this.orders);
    return other;
  }

  async write(seq: number): Promise<void> {
    const placed = await this.send('POST', '/api/orders', {
      lines: [{ productId: this.productId, quantity: 1 }],
    });
    if (placed.status !== 201)
      throw new Error(`placing order ${seq} answered ${placed.status}: ${JSON.stringify(placed.body)}`);
    const order: CanaryOrder = { seq, orderId: String(placed.body.id), paid: false };
    this.orders.push(order);
    const paid = await this.send('POST', `/api/orders/${order.orderId}/payment`, {});
    if (paid.status !== 200)
      throw new Error(`paying order ${order.orderId} answered ${paid.status}: ${JSON.stringify(paid.body)}`);
    order.paid = true;
  }

  /** The canary's orders that the order service holds as paid (asked through its API). */
  async stored(): Promise<number[]> {
    const held: number[] = [];
    for (const order of this.orders) {
      const answer = await this.send('GET', `/api/orders/${order.orderId}`);
      if (answer.status === 200 && answer.body.status === 'paid') held.push(order.seq);
    }
    return held;
  }

  /** Accepted orders (201) the order service no longer knows. */
  async missingAccepted(): Promise<string[]> {
    const missing: string[] = [];
    for (const order of this.orders) {
      if ((await this.send('GET', `/api/orders/${order.orderId}`)).status === 404)
        missing.push(order.orderId);
    }
    return missing;
  }

  async close(): Promise<void> {}

  private async signIn(): Promise<void> {
    const [customer] = SEED_ACCOUNTS.customers;
    const answer = await this.send(
      'POST',
      '/api/auth/token',
      { grant_type: 'password', email: customer!.email, password: customer!.password },
      false,
    );
    if (answer.status !== 200) throw new Error(`the order canary could not sign in: ${answer.status}`);
    this.token = String(answer.body.access_token);
  }

  /** One request, retried with the same Idempotency-Key while it gets no answer or a 5xx. */
  private async send(
    method: string,
    path: string,
    body?: unknown,
    authorized = true,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const key = randomUUID();
    let last = 'no answer';
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      try {
        const response = await fetch(`${this.gateway}${path}`, {
          method,
          headers: {
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(authorized ? { authorization: `Bearer ${this.token}` } : {}),
            ...(method === 'POST' && authorized ? { 'idempotency-key': key } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(5000),
        });
        const text = await response.text();
        if (response.status < 500 && response.status !== 429)
          return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
        last = `${response.status} ${text.slice(0, 200)}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
    throw new Error(`${method} ${path}: ${last} after ${RETRIES} tries`);
  }
}

/** A product of the catalogue with stock for the canary's orders (topped up as the admin). */
export async function canaryProduct(provider: Provider, adminToken: string, units: number): Promise<string> {
  const { gateway } = provider.endpoints('host').app;
  const page = (await (await fetch(`${gateway}/api/products?sort=name&limit=1`)).json()) as {
    items: { id: string }[];
  };
  const id = page.items[0]?.id;
  if (!id) throw new Error('the catalogue is empty: `pnpm stack:seed` first');
  const response = await fetch(`${gateway}/api/products/${id}/inventory`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ delta: units, reason: 'stock for a DR drill' }),
  });
  if (!response.ok) throw new Error(`topping up ${id} answered ${response.status}: ${await response.text()}`);
  return id;
}
