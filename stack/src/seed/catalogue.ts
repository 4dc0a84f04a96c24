/** A deterministic catalogue: the same products (SKUs, prices, stock) on every machine and run. */

const CATEGORIES = {
  kitchen: ['Mug', 'Kettle', 'Teapot', 'Skillet', 'Whisk', 'Colander', 'Cutting board', 'Chef knife'],
  garden: ['Trowel', 'Watering can', 'Planter', 'Pruner', 'Hose reel', 'Seed tray', 'Rake', 'Kneeler'],
  books: ['Field guide', 'Cookbook', 'Atlas', 'Notebook', 'Sketchbook', 'Almanac', 'Novel', 'Journal'],
  toys: ['Puzzle', 'Kite', 'Yo-yo', 'Spinning top', 'Building set', 'Marbles', 'Jump rope', 'Puppet'],
  outdoor: ['Lantern', 'Tent', 'Camp stool', 'Water bottle', 'Compass', 'Headlamp', 'Hammock', 'Tarp'],
  office: [
    'Desk lamp',
    'Stapler',
    'Pen set',
    'Monitor stand',
    'Letter tray',
    'Desk mat',
    'Clipboard',
    'Ruler',
  ],
  bath: ['Towel', 'Soap dish', 'Bath mat', 'Toothbrush cup', 'Shower caddy', 'Loofah', 'Robe', 'Mirror'],
  lighting: [
    'Floor lamp',
    'Pendant',
    'Wall sconce',
    'String lights',
    'Bulb',
    'Night light',
    'Table lamp',
    'Dimmer',
  ],
} as const;
const FINISHES = ['Classic', 'Walnut', 'Enamel', 'Linen', 'Copper', 'Slate'];

export interface SeedProduct {
  sku: string;
  name: string;
  description: string;
  category: string;
  priceCents: number;
  initialStock: number;
}

/** A small deterministic generator (mulberry32): no randomness between runs. */
function generator(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 8 categories × 8 items × 6 finishes = 384 products. */
export function seedCatalogue(): SeedProduct[] {
  const random = generator(20261124);
  const products: SeedProduct[] = [];
  for (const [category, items] of Object.entries(CATEGORIES)) {
    items.forEach((item, i) => {
      FINISHES.forEach((finish, f) => {
        products.push({
          sku: `${category.slice(0, 3).toUpperCase()}-${String(i + 1).padStart(2, '0')}${String(f + 1).padStart(2, '0')}`,
          name: `${finish} ${item.toLowerCase()}`,
          description: `A ${finish.toLowerCase()} ${item.toLowerCase()} from the ${category} range.`,
          category,
          priceCents: 299 + Math.round(random() * 200) * 50,
          initialStock: 5 + Math.floor(random() * 95),
        });
      });
    });
  }
  return products;
}

/** Local-only credentials, printed by `pnpm stack:seed` and documented in the README. */
export const SEED_ACCOUNTS = {
  admin: { email: 'admin@stackdrill.local', password: 'stackdrill-admin', name: 'Shop admin' },
  customers: [
    { email: 'ada@example.com', password: 'stackdrill-demo', name: 'Ada Lovelace' },
    { email: 'grace@example.com', password: 'stackdrill-demo', name: 'Grace Hopper' },
    { email: 'alan@example.com', password: 'stackdrill-demo', name: 'Alan Turing' },
  ],
} as const;
