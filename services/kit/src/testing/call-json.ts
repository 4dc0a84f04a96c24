import { contractAt } from './response-contract.ts';

/** What a call sends besides its method and path. */
export interface CallJsonOptions {
  /** A string is sent as-is (tests send malformed JSON on purpose); anything else as JSON. */
  body?: unknown;
  /** Sent as `authorization: Bearer <token>`. */
  token?: string;
  /** Applied last, so they override the defaults above. */
  headers?: Record<string, string>;
  /**
   * Check the answer against the OpenAPI document served at the base URL (default true); a
   * non-conforming answer throws, naming what did not conform. False only for servers without one.
   */
  contract?: boolean;
}

export interface JsonAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * One JSON call to a service or the gateway, as the integration tests make them. Every answer is
 * held to the document the server publishes, so a test that gets an undeclared status or a body
 * off its schema fails even when it asserted nothing about it.
 */
export async function callJson<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  { body, token, headers, contract = true }: CallJsonOptions = {},
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
  if (contract) {
    const answer = { status: response.status, headers: response.headers, text };
    const problems = (await contractAt(baseUrl)).problems(method, path, answer);
    if (problems.length) {
      throw new Error(
        `${method} ${path} answered ${response.status}, which does not conform to the OpenAPI document:\n` +
          problems.map((p) => `  - ${p}`).join('\n') +
          `\n  body: ${text.slice(0, 300)}`,
      );
    }
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
