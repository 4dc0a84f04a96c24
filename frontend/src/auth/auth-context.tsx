import { createContext, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { ApiClient } from '../api/client.ts';
import { endpoints, type Endpoints } from '../api/endpoints.ts';
import { BrowserSessionStore, identityOf, type Identity } from './session.ts';

interface AuthValue {
  api: Endpoints;
  identity: Identity | undefined;
  signIn(email: string, password: string): Promise<void>;
  signOut(): void;
}

const AuthContext = createContext<AuthValue | undefined>(undefined);

export function AuthProvider({
  children,
  store = new BrowserSessionStore(),
  onSignedOut,
}: {
  children: ReactNode;
  store?: BrowserSessionStore;
  onSignedOut?: () => void;
}) {
  const session = useSyncExternalStore(
    (listener) => store.subscribe(listener),
    () => store.get()?.accessToken,
  );
  const value = useMemo<AuthValue>(() => {
    const api = endpoints(new ApiClient({ session: store, ...(onSignedOut ? { onSignedOut } : {}) }));
    return {
      api,
      identity: session ? identityOf(session) : undefined,
      async signIn(email, password) {
        const pair = await api.signIn(email, password);
        store.set({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
      },
      signOut: () => store.set(undefined),
    };
  }, [session, store, onSignedOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
