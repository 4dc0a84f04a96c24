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

export function serviceFor(path: string): ServiceName | undefined {
  return ROUTES.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`))?.service;
}
