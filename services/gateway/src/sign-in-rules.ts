import type { Logger } from '@stackdrill/kit';
import { fetchOpenApi, type OpenApi } from './docs.ts';
import type { ServiceName } from './routes.ts';

/** An operation that needs a signed-in user: its method and its path template as a pattern. */
interface SignedInOperation {
  method: string;
  path: RegExp;
}

/**
 * The operations of a service's OpenAPI document that need a user: `security` set (on the operation,
 * or the document's default) with no anonymous `{}` alternative (`[{}, { bearer: [] }]` is optional).
 */
export function signedInOperations(doc: OpenApi): SignedInOperation[] {
  const operations: SignedInOperation[] = [];
  for (const [template, methods] of Object.entries(doc.paths ?? {})) {
    const path = new RegExp(
      `^${template
        .split(/\{[^}]+\}/)
        .map((literal) => literal.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('[^/]+')}$`,
    );
    for (const [method, operation] of Object.entries(methods)) {
      const security = operation.security ?? doc.security ?? [];
      const needsUser = security.length > 0 && security.every((scheme) => Object.keys(scheme).length > 0);
      if (needsUser) operations.push({ method: method.toUpperCase(), path });
    }
  }
  return operations;
}

/** How often the rules are fetched again once known (a redeployed service may add routes). */
const REFRESH_MS = 60_000;
/** How often a service whose document could not be fetched is tried again. */
const RETRY_MS = 2000;

/**
 * Which routes need a signed-in user, learned from each service's own OpenAPI document (the one
 * declaration of its routes) rather than a second list at the edge. Learned when the gateway starts,
 * tried again every 2 s for a service that did not answer, refreshed every minute; a failed refresh
 * keeps what was known.
 */
export class SignInRules {
  private readonly known = new Map<ServiceName, SignedInOperation[]>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly upstreams: Record<ServiceName, string>,
    private readonly logger: Logger,
  ) {}

  /**
   * Whether a request needs a signed-in user: true or false once the service's document is known (an
   * operation it does not declare is left to the service, which answers 404 or 405), undefined before.
   */
  needsUser(service: ServiceName, method: string, url: string): boolean | undefined {
    const operations = this.known.get(service);
    if (!operations) return undefined;
    const path = url.split('?', 1)[0]!;
    return operations.some((o) => o.method === method && o.path.test(path));
  }

  /** Learns every service's rules (each within 2 s), then keeps them fresh until `stop()`. */
  async start(): Promise<void> {
    await this.learn();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const missing = this.known.size < Object.keys(this.upstreams).length;
    this.timer = setTimeout(
      () => void this.learn().finally(() => this.schedule()),
      missing ? RETRY_MS : REFRESH_MS,
    ).unref();
  }

  private async learn(): Promise<void> {
    await Promise.all(
      (Object.entries(this.upstreams) as [ServiceName, string][]).map(async ([service, url]) => {
        try {
          this.known.set(service, signedInOperations(await fetchOpenApi(url)));
        } catch (error) {
          // Debug: a service that is down is already reported by every request that meets it.
          this.logger.debug(
            { err: error, service },
            `the ${service} service's OpenAPI document could not be fetched; trying again`,
          );
        }
      }),
    );
  }
}
