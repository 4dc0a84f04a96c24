/**
 * An Idempotency-Key per request body: asking again for the same body gives the same key, so a
 * retry after a lost answer, a 429 or a 503 can never act twice; another body gets a new key (the
 * API refuses a key reused for another body). Once the API has answered for good, `settle()` drops
 * the key and the next attempt is a new request. With a storage, the key outlives the page (a reload
 * or a trip to the sign-in page retries with the same key).
 */
export class IdempotencyKey {
  private memory: { body: string; key: string } | undefined;

  constructor(
    private readonly persist?: { storage: Storage; name: string },
    private readonly newKey: () => string = () => crypto.randomUUID(),
  ) {}

  /** The key for this body: the pending one if the body is the same, otherwise a new one. */
  for(body: unknown): string {
    const text = JSON.stringify(body);
    const pending = this.read();
    if (pending?.body === text) return pending.key;
    const next = { body: text, key: this.newKey() };
    this.write(next);
    return next.key;
  }

  /** The request got its final answer: the next attempt needs a new key. */
  settle(): void {
    this.write(undefined);
  }

  private read(): { body: string; key: string } | undefined {
    if (!this.persist) return this.memory;
    try {
      const value = JSON.parse(this.persist.storage.getItem(this.persist.name) ?? 'null') as unknown;
      const { body, key } = (value ?? {}) as { body?: unknown; key?: unknown };
      return typeof body === 'string' && typeof key === 'string' ? { body, key } : undefined;
    } catch {
      return undefined;
    }
  }

  private write(value: { body: string; key: string } | undefined): void {
    this.memory = value;
    if (!this.persist) return;
    if (value) this.persist.storage.setItem(this.persist.name, JSON.stringify(value));
    else this.persist.storage.removeItem(this.persist.name);
  }
}

/**
 * True when the API has answered a request for good (a 4xx other than 401, 408 and 429): repeating
 * it with the same key would only replay that answer, so the next attempt takes a new key. After a
 * network error, a 401 (nothing was done), a 429 or a 5xx the outcome is unknown or not reached yet,
 * and the same key must go again.
 */
export function isFinalAnswer(status: number): boolean {
  return status >= 400 && status < 500 && ![401, 408, 429].includes(status);
}
