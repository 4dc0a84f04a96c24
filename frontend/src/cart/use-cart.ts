import { useCallback, useSyncExternalStore } from 'react';
import { addLine, parseCart, removeLine, setQuantity, type CartLine } from './cart.ts';

const KEY = 'stackdrill.cart';
const listeners = new Set<() => void>();
let cached: { raw: string | null; cart: CartLine[] } = { raw: null, cart: [] };

function read(): CartLine[] {
  const raw = window.localStorage.getItem(KEY);
  if (raw !== cached.raw) cached = { raw, cart: parseCart(raw) };
  return cached.cart;
}

function write(cart: CartLine[]): void {
  window.localStorage.setItem(KEY, JSON.stringify(cart));
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  // Another tab's change arrives as a `storage` event.
  const fromOtherTab = (event: StorageEvent) => {
    if (event.key === KEY || event.key === null) listener();
  };
  listeners.add(listener);
  window.addEventListener('storage', fromOtherTab);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', fromOtherTab);
  };
}

/** The browser's cart, shared by every component and tab (and kept across reloads). */
export function useCart() {
  const cart = useSyncExternalStore(subscribe, read);
  return {
    cart,
    add: useCallback((line: CartLine) => write(addLine(read(), line)), []),
    setQuantity: useCallback((id: string, quantity: number) => write(setQuantity(read(), id, quantity)), []),
    remove: useCallback((id: string) => write(removeLine(read(), id)), []),
    clear: useCallback(() => write([]), []),
  };
}
