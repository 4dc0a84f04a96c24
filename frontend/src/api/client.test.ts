import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, type Session, type SessionStore } from './client.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function memorySession(initial?: Session): SessionStore & { value: Session | undefined } {
  return {
    value: initial,
    get() {
      return this.value;
    },
    set(session) {
      this.value = session;
    },
  };
}

describe('ApiClient', () => {
  it('when the API refuses a request, then the error carries its status, code, message and field errors', async () => {
    const fetch = vi.fn(async () =>
      json(400, {
        code: 'VALIDATION_FAILED',
        message: 'the request does not match the expected shape',
        details: [{ path: 'password', message: 'use at least 10 characters' }],
      }),
    );
    const client = new ApiClient({ session: memorySession(), fetch });
    const error = await client.request('/api/users', { method: 'POST', body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).fieldErrors).toEqual({ password: 'use at least 10 characters' });
  });

  it('when rate limited or a service is down, then the message says when to retry', async () => {
    const limited = new ApiClient({
      session: memorySession(),
      fetch: vi.fn(async () =>
        json(429, { code: 'RATE_LIMITED', message: 'too many requests' }, { 'retry-after': '7' }),
      ),
    });
    const error429 = (await limited.request('/api/products').catch((e: unknown) => e)) as ApiError;
    expect(error429.userMessage).toBe('Too many requests. Please retry in 7 seconds.');
    const down = new ApiClient({
      session: memorySession(),
      fetch: vi.fn(async () =>
        json(
          503,
          { code: 'SERVICE_UNAVAILABLE', message: 'the order service is unavailable; retry shortly' },
          { 'retry-after': '5' },
        ),
      ),
    });
    const error503 = (await down.request('/api/orders').catch((e: unknown) => e)) as ApiError;
    expect(error503.userMessage).toBe('the order service is unavailable. Please retry in 5 seconds.');
  });

  it('when the network fails, then the error says the shop cannot be reached', async () => {
    const client = new ApiClient({
      session: memorySession(),
      fetch: vi.fn(async () => Promise.reject(new TypeError('fetch failed'))),
    });
    const error = (await client.request('/api/products').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.userMessage).toMatch(/cannot be reached/);
  });

  it('when the access token has expired, then the refresh token is rotated once and the request retried', async () => {
    const session = memorySession({ accessToken: 'old', refreshToken: 'refresh-1-0123456789' });
    const fetch = vi.fn(async (path: string | URL | Request, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string>).authorization;
      if (path === '/api/auth/token')
        return json(200, { access_token: 'new', refresh_token: 'refresh-2-0123456789' });
      return auth === 'Bearer new'
        ? json(200, { ok: true })
        : json(401, { code: 'UNAUTHENTICATED', message: 'expired' });
    });
    const client = new ApiClient({ session, fetch });
    const [a, b] = await Promise.all([client.request('/api/users/me'), client.request('/api/orders')]);
    expect(a).toEqual({ ok: true });
    expect(b).toEqual({ ok: true });
    expect(session.value).toEqual({ accessToken: 'new', refreshToken: 'refresh-2-0123456789' });
    expect(fetch.mock.calls.filter(([path]) => path === '/api/auth/token')).toHaveLength(1);
  });

  it('when the refresh is refused too, then the session ends and the user is sent to sign in', async () => {
    const session = memorySession({ accessToken: 'old', refreshToken: 'refresh-1-0123456789' });
    const onSignedOut = vi.fn();
    const client = new ApiClient({
      session,
      onSignedOut,
      fetch: vi.fn(async () => json(401, { code: 'UNAUTHENTICATED', message: 'sign in again' })),
    });
    await expect(client.request('/api/users/me')).rejects.toMatchObject({ status: 401 });
    expect(session.value).toBeUndefined();
    expect(onSignedOut).toHaveBeenCalledOnce();
  });

  it('when another tab already rotated the tokens, then the request is retried with them and no refresh is sent', async () => {
    const session = memorySession({ accessToken: 'old', refreshToken: 'refresh-1-0123456789' });
    const fetch = vi.fn(async (_path: string | URL | Request, init?: RequestInit) => {
      const auth = (init?.headers as Record<string, string>).authorization;
      if (auth === 'Bearer old') {
        // Meanwhile the other tab refreshed: the stored session has the new pair.
        session.value = { accessToken: 'new', refreshToken: 'refresh-2-0123456789' };
        return json(401, { code: 'UNAUTHORIZED', message: 'expired' });
      }
      return json(200, { ok: true });
    });
    const client = new ApiClient({ session, fetch });
    expect(await client.request('/api/orders')).toEqual({ ok: true });
    expect(fetch.mock.calls.map(([path]) => path)).toEqual(['/api/orders', '/api/orders']);
  });

  it('when the refresh cannot reach the user service (503), then the session is kept and the 503 is reported', async () => {
    const session = memorySession({ accessToken: 'old', refreshToken: 'refresh-1-0123456789' });
    const onSignedOut = vi.fn();
    const client = new ApiClient({
      session,
      onSignedOut,
      fetch: vi.fn(async (path: string | URL | Request) =>
        path === '/api/auth/token'
          ? json(
              503,
              { code: 'SERVICE_UNAVAILABLE', message: 'the user service is unavailable' },
              { 'retry-after': '5' },
            )
          : json(401, { code: 'UNAUTHORIZED', message: 'expired' }),
      ),
    });
    await expect(client.request('/api/orders')).rejects.toMatchObject({ status: 503, retryAfterS: 5 });
    // The very pair it had: a refresh that could not be tried must neither drop nor change it.
    expect(session.value).toEqual({ accessToken: 'old', refreshToken: 'refresh-1-0123456789' });
    expect(onSignedOut).not.toHaveBeenCalled();
  });

  it('when a request without a session gets a 401, then no refresh is tried and the 401 is reported', async () => {
    const fetch = vi.fn(async () =>
      json(401, { code: 'INVALID_CREDENTIALS', message: 'the email or password is wrong' }),
    );
    const client = new ApiClient({ session: memorySession(), fetch });
    await expect(
      client.request('/api/auth/token', { method: 'POST', body: {}, auth: false }),
    ).rejects.toMatchObject({
      status: 401,
      message: 'the email or password is wrong',
    });
    expect(fetch).toHaveBeenCalledOnce();
  });

  it('when something other than the API answers 200 with a page, then it is an error, not an empty result', async () => {
    const client = new ApiClient({
      session: memorySession(),
      fetch: vi.fn(async () => new Response('<!doctype html><p>hello</p>', { status: 200 })),
    });
    await expect(client.request('/api/products')).rejects.toMatchObject({ status: 502, code: 'NOT_JSON' });
  });
});
