import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { AuthProvider, useAuth } from './auth-context.tsx';
import { BrowserSessionStore } from './session.ts';

function SignOutButton() {
  const { signOut } = useAuth();
  return (
    <button type="button" onClick={signOut}>
      Sign out
    </button>
  );
}

function renderSignedIn(fetch: typeof globalThis.fetch) {
  vi.stubGlobal('fetch', fetch);
  const store = new BrowserSessionStore();
  store.set({ accessToken: 'header.e30.sig', refreshToken: 'fam.id.secret' });
  render(
    <QueryClientProvider client={new QueryClient()}>
      <AuthProvider store={store}>
        <SignOutButton />
      </AuthProvider>
    </QueryClientProvider>,
  );
  return store;
}

describe('signing out', () => {
  it('when signing out, then the session is gone at once and its refresh token is revoked on the server', async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    const store = renderSignedIn(fetch);
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(store.get()).toBeUndefined();
    expect(fetch).toHaveBeenCalledTimes(1);
    const [path, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(path).toBe('/api/auth/token');
    expect(JSON.parse(String(init.body))).toEqual({ grant_type: 'revoke', refresh_token: 'fam.id.secret' });
  });

  it('when the revoke call fails, then signing out still ends the session here', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('network down');
    });
    const store = renderSignedIn(fetch);
    await userEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(store.get()).toBeUndefined();
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
