/** Which service answers which public path prefix. The gateway routes nothing else. */
export const ROUTES = [
  { prefix: '/api/users', service: 'user' },
  { prefix: '/api/auth', service: 'user' },
  { prefix: '/api/products', service: 'product' },
  { prefix: '/api/orders', service: 'order' },
  { prefix: '/api/notifications', service: 'notification' },
  { prefix: '/api/analytics', service: 'analytics' },
] as const;

export type ServiceName = (typeof ROUTES)[number]['service'];

/** The service that owns a request URL (its path, with or without a query string). */
export function serviceFor(url: string): ServiceName | undefined {
  const path = url.split('?', 1)[0]!;
  return ROUTES.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`))?.service;
}
