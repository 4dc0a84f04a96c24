import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
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

/**
 * The signed-in session and the API client for the whole app: one client (so concurrent 401s share
 * one token refresh), and the identity read from the current access token's claims.
 */
export function AuthProvider({
  children,
  store: given,
  onSignedOut,
}: {
  children: ReactNode;
  store?: BrowserSessionStore;
  /** Called when the session ended on its own (the refresh token was refused); keep it stable. */
  onSignedOut?: () => void;
}) {
  const [store] = useState(() => given ?? new BrowserSessionStore());
  // One client while the store and `onSignedOut` stay the same (pass a stable callback).
  const api = useMemo(
    () => endpoints(new ApiClient({ session: store, ...(onSignedOut ? { onSignedOut } : {}) })),
    [store, onSignedOut],
  );
  const subscribe = useCallback((listener: () => void) => store.subscribe(listener), [store]);
  const accessToken = useSyncExternalStore(subscribe, () => store.get()?.accessToken);
  const identity = useMemo(() => (accessToken ? identityOf(accessToken) : undefined), [accessToken]);
  // Another person signed in (or out) in this browser: nothing fetched for the last one may show.
  const queries = useQueryClient();
  const shownFor = useRef(identity?.userId);
  useEffect(() => {
    if (shownFor.current === identity?.userId) return;
    shownFor.current = identity?.userId;
    void queries.resetQueries();
  }, [identity?.userId, queries]);
  const value = useMemo<AuthValue>(
    () => ({
      api,
      identity,
      async signIn(email, password) {
        const pair = await api.signIn(email, password);
        store.set({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
      },
      signOut() {
        const session = store.get();
        store.set(undefined);
        // Ends the session on the server too; signing out here never waits for it nor fails with it.
        if (session) void api.signOut(session.refreshToken).catch(() => undefined);
      },
    }),
    [api, identity, store],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
