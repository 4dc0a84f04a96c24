import { APP, type ServiceName } from '@stackdrill/facts';

export type { ServiceName };

/** Which service answers which public path prefix (from the topology). The gateway routes nothing else. */
export const ROUTES: readonly { prefix: string; service: ServiceName }[] = APP.services.flatMap((s) =>
  s.routes.map((prefix) => ({ prefix, service: s.name })),
);

/** The service that owns a request URL (its path, with or without a query string). */
export function serviceFor(url: string): ServiceName | undefined {
  const path = url.split('?', 1)[0]!;
  return ROUTES.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`))?.service;
}
