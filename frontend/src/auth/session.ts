import type { Session, SessionStore } from '../api/client.ts';

const KEY = 'stackdrill.session';

/** Who is signed in, read from the access token's claims (the gateway and services verify it). */
export interface Identity {
  userId: string;
  email: string;
  role: 'customer' | 'admin';
}

export function identityOf(accessToken: string): Identity | undefined {
  try {
    const payload = JSON.parse(atob(accessToken.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as {
      sub?: string;
      email?: string;
      role?: string;
    };
    if (!payload.sub || !payload.email || (payload.role !== 'customer' && payload.role !== 'admin'))
      return undefined;
    return { userId: payload.sub, email: payload.email, role: payload.role };
  } catch {
    return undefined;
  }
}

/**
 * The session kept in localStorage, with listeners so the UI follows sign-in, refresh and sign-out,
 * in this tab and in the others (through the `storage` event).
 */
export class BrowserSessionStore implements SessionStore {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly storage: Storage = window.localStorage) {}

  get(): Session | undefined {
    const raw = this.storage.getItem(KEY);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw) as Session;
    } catch {
      return undefined;
    }
  }

  set(session: Session | undefined): void {
    if (session) this.storage.setItem(KEY, JSON.stringify(session));
    else this.storage.removeItem(KEY);
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    const fromOtherTab = (event: StorageEvent) => {
      if (event.key === KEY || event.key === null) listener();
    };
    this.listeners.add(listener);
    window.addEventListener('storage', fromOtherTab);
    return () => {
      this.listeners.delete(listener);
      window.removeEventListener('storage', fromOtherTab);
    };
  }
}
