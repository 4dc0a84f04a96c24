/**
 * The one way the UI talks to the gateway: same origin, JSON, the access token attached, and every
 * failure turned into an ApiError that says what happened in words a person understands. A 401 is
 * answered once by rotating the refresh token and retrying; if that fails too, the session ends and
 * `onSignedOut` sends the user to sign in.
 */

export interface ErrorBody {
  code?: string;
  message?: string;
  details?: unknown;
  requestId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds to wait, from Retry-After (429, 503). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** What to tell the user: the API's own message, with advice for the statuses that need it. */
  get userMessage(): string {
    if (this.status === 429)
      return `Too many requests. Please retry in ${this.retryAfterS ?? 'a few'} seconds.`;
    if (this.status === 503 || this.status === 0) {
      const when = this.retryAfterS
        ? ` Please retry in ${this.retryAfterS} seconds.`
        : ' Please retry shortly.';
      return `${this.message}.${when}`.replace('..', '.');
    }
    return this.message;
  }

  /** Field errors of a 400 (`details: [{ path, message }]`), by field name. */
  get fieldErrors(): Record<string, string> {
    if (!Array.isArray(this.details)) return {};
    const byField: Record<string, string> = {};
    for (const d of this.details as { path?: string; message?: string }[]) {
      if (d.path && d.message && !byField[d.path]) byField[d.path] = d.message;
    }
    return byField;
  }
}

export interface Session {
  accessToken: string;
  refreshToken: string;
}

export interface SessionStore {
  get(): Session | undefined;
  set(session: Session | undefined): void;
}

export interface ApiClientOptions {
  session: SessionStore;
  fetch?: typeof fetch;
  onSignedOut?: () => void;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the access token (default: when signed in). */
  auth?: boolean;
}

export class ApiClient {
  private refreshing: Promise<boolean> | undefined;

  constructor(private readonly options: ApiClientOptions) {}

  private get fetch(): typeof fetch {
    return this.options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(path, options);
    if (response.status === 401 && options.auth !== false && this.options.session.get()) {
      if (await this.refresh()) return this.parse<T>(await this.send(path, options));
      this.options.session.set(undefined);
      this.options.onSignedOut?.();
    }
    return this.parse<T>(response);
  }

  private async send(path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const session = this.options.session.get();
    if (session && options.auth !== false) headers.authorization = `Bearer ${session.accessToken}`;
    try {
      return await this.fetch(path, {
        method: options.method ?? 'GET',
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The shop cannot be reached (network error)');
    }
  }

  private async parse<T>(response: Response): Promise<T> {
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (response.ok) return body as T;
    const error = (body ?? {}) as ErrorBody;
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new ApiError(
      response.status,
      error.code ?? `HTTP_${response.status}`,
      error.message ?? `The request failed (${response.status} ${response.statusText})`,
      error.details,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }

  /** Rotates the refresh token once for every caller that got a 401 at the same time. */
  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const session = this.options.session.get();
      if (!session) return false;
      try {
        const pair = await this.parse<{ access_token: string; refresh_token: string }>(
          await this.send('/api/auth/token', {
            method: 'POST',
            auth: false,
            body: { grant_type: 'refresh_token', refresh_token: session.refreshToken },
          }),
        );
        this.options.session.set({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
        return true;
      } catch {
        return false;
      }
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}
