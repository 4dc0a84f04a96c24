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
        ? `Please retry in ${this.retryAfterS} seconds.`
        : 'Please retry shortly.';
      return `${this.message.replace(/[;.]?\s*retry shortly\.?$/i, '').replace(/\.$/, '')}. ${when}`;
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
  private refreshing: Promise<'refreshed' | 'refused'> | undefined;

  constructor(private readonly options: ApiClientOptions) {}

  private get fetch(): typeof fetch {
    return this.options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const sent = options.auth === false ? undefined : this.options.session.get();
    const response = await this.send(path, options, sent);
    if (response.status === 401 && sent) {
      if ((await this.refresh(sent.accessToken)) === 'refreshed') {
        return this.parse<T>(await this.send(path, options, this.options.session.get()));
      }
      this.options.session.set(undefined);
      this.options.onSignedOut?.();
    }
    return this.parse<T>(response);
  }

  private async send(path: string, options: RequestOptions, session: Session | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (session) headers.authorization = `Bearer ${session.accessToken}`;
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
    let isJson = true;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      isJson = false;
    }
    if (response.ok && !isJson) {
      // Something other than the gateway's API answered (a proxy's page, say): not a result.
      throw new ApiError(
        502,
        'NOT_JSON',
        `The shop answered with something that is not the API (${response.status})`,
      );
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

  /**
   * Rotates the refresh token once for every request that got a 401 with the same access token, in
   * this tab and (through a Web Lock) in the others: a refresh token used twice revokes the whole
   * session, so a caller whose token was already replaced just retries with the new one. A refusal
   * ends the session; a refresh that could not reach the user service (network, 429, 5xx) keeps it
   * and fails this request with that error instead.
   */
  private refresh(staleAccessToken: string): Promise<'refreshed' | 'refused'> {
    this.refreshing ??= exclusively('stackdrill.refresh', async () => {
      const session = this.options.session.get();
      if (!session) return 'refused' as const;
      if (session.accessToken !== staleAccessToken) return 'refreshed' as const;
      try {
        const pair = await this.parse<{ access_token: string; refresh_token: string }>(
          await this.send(
            '/api/auth/token',
            {
              method: 'POST',
              body: { grant_type: 'refresh_token', refresh_token: session.refreshToken },
            },
            undefined,
          ),
        );
        this.options.session.set({ accessToken: pair.access_token, refreshToken: pair.refresh_token });
        return 'refreshed' as const;
      } catch (error) {
        if (error instanceof ApiError && (error.status === 400 || error.status === 401)) return 'refused';
        throw error;
      }
    }).finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}

/** Runs `task` while holding a Web Lock of that name, when the browser has them (every current one). */
function exclusively<T>(name: string, task: () => Promise<T>): Promise<T> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? (locks.request(name, task) as Promise<T>) : task();
}
