import type { ServiceName } from './routes.ts';

/** What the gateway reads of a service's OpenAPI document. */
export interface OpenApi {
  paths?: Record<string, Record<string, { security?: Record<string, unknown>[] }>>;
  security?: Record<string, unknown>[];
  components?: { securitySchemes?: Record<string, unknown> };
}

/** A service's own OpenAPI document (`/openapi.json`), or an error saying why not, within 2 s. */
export async function fetchOpenApi(baseUrl: string): Promise<OpenApi> {
  const response = await fetch(`${baseUrl}/openapi.json`, { signal: AbortSignal.timeout(2000) });
  if (!response.ok) throw new Error(`${baseUrl}/openapi.json answered ${response.status}`);
  return (await response.json()) as OpenApi;
}

/**
 * One OpenAPI 3.1 document for the whole API, merged from every service's own `/openapi.json`. A
 * service that does not answer is named in `x-unavailable` rather than failing the whole document.
 */
export async function mergedDocs(upstreams: Record<ServiceName, string>): Promise<Record<string, unknown>> {
  const paths: Record<string, unknown> = {};
  const securitySchemes: Record<string, unknown> = {};
  const unavailable: string[] = [];
  await Promise.all(
    Object.entries(upstreams).map(async ([service, url]) => {
      try {
        const doc = await fetchOpenApi(url);
        Object.assign(paths, doc.paths);
        Object.assign(securitySchemes, doc.components?.securitySchemes);
      } catch {
        unavailable.push(service);
      }
    }),
  );
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.1.0',
    info: {
      title: 'stackdrill API',
      version: '1.0.0',
      description: 'Every public operation, through the gateway.',
    },
    paths: sortedPaths,
    components: { securitySchemes },
    ...(unavailable.length ? { 'x-unavailable': unavailable.sort() } : {}),
  };
}
