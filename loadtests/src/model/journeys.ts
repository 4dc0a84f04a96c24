// Journeys as data: what a shopper (or the admin) does, step by step, with what each step takes from
// the previous answers and how long the person thinks in between. Runtime-neutral (k6 imports it).
import type { EndpointName, JourneyName } from './slo.ts';

/** What a journey iteration carries from step to step. */
export interface JourneyContext {
  /** Values extracted from earlier answers, and the account the iteration acts as. */
  vars: Record<string, string>;
  /** A uniform random number in [0, 1): the engine's, so runs can be seeded. */
  random(): number;
}

export interface Step {
  /** The SLO subject this request is judged under (its route pattern). */
  endpoint: EndpointName;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  path(ctx: JourneyContext): string;
  body?(ctx: JourneyContext): unknown;
  /** Sends `Authorization: Bearer <vars.token>`. */
  auth?: boolean;
  /** Sends a fresh `Idempotency-Key`. */
  idempotencyKey?: boolean;
  /** Statuses that count as success; anything else is an error (and ends the iteration). */
  expect: number[];
  /**
   * The `vars` this step is made of (an earlier answer's id). When one is missing, because that
   * answer was an accepted refusal (a 409) or had nothing to take, the iteration ends before this
   * step: a person does not pay for an order the shop refused.
   */
  needs?: string[];
  /** Takes what later steps need from the answer's JSON body. */
  extract?(body: unknown, ctx: JourneyContext): void;
  /** Think time after this step, uniform between the two bounds, in ms. */
  thinkMs?: [number, number];
}

export interface Journey {
  name: JourneyName;
  /** The account the engine provides in `vars` (`email`, `password`, `token`) before the first step. */
  actsAs?: 'customer' | 'admin';
  steps: Step[];
}

/** Whether every var the step needs was taken from an earlier answer; the engines run it only then. */
export const canRun = (step: Step, ctx: JourneyContext): boolean =>
  (step.needs ?? []).every((name) => Boolean(ctx.vars[name]));

const pick = <T>(items: T[], ctx: JourneyContext): T | undefined =>
  items[Math.floor(ctx.random() * items.length)];

/** Words that occur in the seed catalogue's product names. */
export const SEARCH_TERMS = [
  'mug',
  'kettle',
  'lamp',
  'planter',
  'atlas',
  'kite',
  'lantern',
  'towel',
  'stapler',
  'dimmer',
];

/** The catalogue page every shopping journey starts from, and so the products checkouts buy. */
export const CATALOGUE_PAGE = '/api/products?limit=20';

const listProducts: Step = {
  endpoint: 'GET /api/products',
  method: 'GET',
  path: () => CATALOGUE_PAGE,
  expect: [200],
  extract: (body, ctx) => {
    const items = (body as { items?: { id: string }[] }).items ?? [];
    const chosen = pick(items, ctx);
    if (chosen) ctx.vars.productId = chosen.id;
  },
  thinkMs: [500, 2000],
};

const viewProduct: Step = {
  endpoint: 'GET /api/products/:id',
  method: 'GET',
  path: (ctx) => `/api/products/${ctx.vars.productId}`,
  expect: [200],
  needs: ['productId'],
  thinkMs: [1000, 3000],
};

const signIn: Step = {
  endpoint: 'POST /api/auth/token',
  method: 'POST',
  path: () => '/api/auth/token',
  body: (ctx) => ({ grant_type: 'password', email: ctx.vars.email, password: ctx.vars.password }),
  expect: [200],
  extract: (body, ctx) => {
    ctx.vars.token = (body as { access_token: string }).access_token;
  },
  thinkMs: [300, 1000],
};

export const JOURNEYS: Record<JourneyName, Journey> = {
  browse: { name: 'browse', steps: [listProducts, viewProduct, { ...listProducts }, viewProduct] },
  search: {
    name: 'search',
    steps: [
      {
        ...listProducts,
        path: (ctx) => `/api/products?q=${pick(SEARCH_TERMS, ctx)}&limit=20`,
      },
      viewProduct,
    ],
  },
  'sign-in': {
    name: 'sign-in',
    actsAs: 'customer',
    steps: [
      signIn,
      {
        endpoint: 'GET /api/users/me',
        method: 'GET',
        path: () => '/api/users/me',
        auth: true,
        expect: [200],
      },
    ],
  },
  'checkout-and-pay': {
    name: 'checkout-and-pay',
    actsAs: 'customer',
    steps: [
      listProducts,
      viewProduct,
      {
        endpoint: 'POST /api/orders',
        method: 'POST',
        path: () => '/api/orders',
        body: (ctx) => ({ lines: [{ productId: ctx.vars.productId, quantity: 1 }] }),
        auth: true,
        idempotencyKey: true,
        // 409: the product sold out under load, which is the shop working, not failing; there is
        // no order then, so the payment does not run.
        expect: [201, 409],
        needs: ['productId'],
        extract: (body, ctx) => {
          const id = (body as { id?: string } | undefined)?.id;
          if (id) ctx.vars.orderId = id;
        },
        thinkMs: [1000, 3000],
      },
      {
        endpoint: 'POST /api/orders/:id/payment',
        method: 'POST',
        path: (ctx) => `/api/orders/${ctx.vars.orderId}/payment`,
        needs: ['orderId'],
        auth: true,
        idempotencyKey: true,
        expect: [200],
        thinkMs: [500, 1500],
      },
      {
        endpoint: 'GET /api/orders',
        method: 'GET',
        path: () => '/api/orders?limit=10',
        auth: true,
        expect: [200],
      },
    ],
  },
  'admin-dashboard': {
    name: 'admin-dashboard',
    actsAs: 'admin',
    steps: [
      {
        endpoint: 'GET /api/analytics/dashboard',
        method: 'GET',
        path: () => '/api/analytics/dashboard',
        auth: true,
        expect: [200],
        thinkMs: [2000, 5000],
      },
    ],
  },
};
