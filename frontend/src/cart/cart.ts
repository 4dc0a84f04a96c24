/** The cart, kept in the browser: pure functions over a list of lines (tested on their own). */

export interface CartLine {
  productId: string;
  name: string;
  priceCents: number;
  quantity: number;
}

/** The API accepts 1 to 100 of one product in an order line. */
export const MAX_QUANTITY = 100;

const clamp = (quantity: number) => Math.max(1, Math.min(MAX_QUANTITY, Math.floor(quantity)));

export function addLine(cart: CartLine[], line: CartLine): CartLine[] {
  const existing = cart.find((l) => l.productId === line.productId);
  if (!existing) return [...cart, { ...line, quantity: clamp(line.quantity) }];
  return cart.map((l) =>
    l.productId === line.productId ? { ...l, quantity: clamp(l.quantity + line.quantity) } : l,
  );
}

export function setQuantity(cart: CartLine[], productId: string, quantity: number): CartLine[] {
  if (!Number.isFinite(quantity) || quantity < 1) return removeLine(cart, productId);
  return cart.map((l) => (l.productId === productId ? { ...l, quantity: clamp(quantity) } : l));
}

export function removeLine(cart: CartLine[], productId: string): CartLine[] {
  return cart.filter((l) => l.productId !== productId);
}

export const totalCents = (cart: CartLine[]) => cart.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);

export const itemCount = (cart: CartLine[]) => cart.reduce((sum, l) => sum + l.quantity, 0);

/** A stored cart that does not parse is an empty cart, never a crash. */
export function parseCart(raw: string | null): CartLine[] {
  if (!raw) return [];
  try {
    const value = JSON.parse(raw) as unknown;
    if (!Array.isArray(value)) return [];
    return value.filter(
      (l): l is CartLine =>
        typeof l === 'object' &&
        l !== null &&
        typeof (l as CartLine).productId === 'string' &&
        typeof (l as CartLine).name === 'string' &&
        Number.isInteger((l as CartLine).priceCents) &&
        Number.isInteger((l as CartLine).quantity),
    );
  } catch {
    return [];
  }
}

export function formatPrice(cents: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
}
