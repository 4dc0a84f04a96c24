/** What a call sends besides its method and path. */
export interface CallJsonOptions {
  /** A string is sent as-is (tests send malformed JSON on purpose); anything else as JSON. */
  body?: unknown;
  /** Sent as `authorization: Bearer <token>`. */
  token?: string;
  /** Applied last, so they override the defaults above. */
  headers?: Record<string, string>;
}

export interface JsonAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** One JSON call to a service or the gateway, as the integration tests make them. */
export async function callJson<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  { body, token, headers }: CallJsonOptions = {},
): Promise<JsonAnswer<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  // Read as text first: a 204 or an empty answer is `{}`, and a non-JSON one fails with what it said.
  const text = await response.text();
  let parsed: T;
  try {
    parsed = (text ? JSON.parse(text) : {}) as T;
  } catch (cause) {
    throw new Error(
      `${method} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      { cause },
    );
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
