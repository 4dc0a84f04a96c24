// Test support for component tests: the app's providers around one page, a fake gateway, a session.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { vi } from 'vitest';
import { AuthProvider } from '../auth/auth-context.tsx';

export const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A recorded request to the fake gateway. */
export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Stubs `fetch` with a gateway that answers each request with `answer(call)`; the calls are kept in
 * order, headers with lower-case names.
 */
export function fakeGateway(answer: (call: Call) => Response | Promise<Response>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string, init: RequestInit = {}) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>))
        headers[name.toLowerCase()] = value;
      const call = {
        method: init.method ?? 'GET',
        path,
        headers,
        body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      };
      calls.push(call);
      return answer(call);
    }),
  );
  return calls;
}

/** An access token with these claims (the UI reads claims; only the services verify signatures). */
export function fakeAccessToken(claims: { sub: string; email: string; role: 'customer' | 'admin' }): string {
  const part = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.signature`;
}

/** Signs the browser in (as the app keeps its session) as a customer unless told otherwise. */
export function signInAs(role: 'customer' | 'admin' = 'customer'): void {
  const accessToken = fakeAccessToken({ sub: 'u1', email: `${role}@example.com`, role });
  window.localStorage.setItem(
    'stackdrill.session',
    JSON.stringify({ accessToken, refreshToken: 'refresh-token-0123456789' }),
  );
}

/** Shows where the router is, for tests that follow a redirect. */
export function CurrentLocation() {
  const location = useLocation();
  return <output aria-label="Location">{`${location.pathname}${location.search}`}</output>;
}

/**
 * Renders `page` at `url` with the app's providers (no retries, so errors show at once). `routes`
 * adds other pages a test navigates to.
 */
export function renderPage(
  page: ReactNode,
  {
    url = '/',
    path = '*',
    routes = {},
  }: { url?: string; path?: string; routes?: Record<string, ReactNode> } = {},
) {
  const queries = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  return render(
    <QueryClientProvider client={queries}>
      <AuthProvider>
        <MemoryRouter initialEntries={[url]}>
          <Routes>
            <Route path={path} element={page} />
            {Object.entries(routes).map(([route, element]) => (
              <Route key={route} path={route} element={element} />
            ))}
          </Routes>
        </MemoryRouter>
      </AuthProvider>
    </QueryClientProvider>,
  );
}
