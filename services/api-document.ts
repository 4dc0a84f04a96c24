// The whole public API as one OpenAPI 3.1 document, built from every service's own routes (their zod
// schemas) without running anything: what `pnpm api:types` renders the web UI's types from. The
// gateway serves the same paths at /api/docs, merged from the running services.
import { AccessTokens } from './kit/src/auth/tokens.ts';
import type { Api } from './kit/src/http/api.ts';
import { analyticsApi } from './analytics/src/entry-points/http-api.ts';
import { notificationApi } from './notification/src/entry-points/http-api.ts';
import { orderApi } from './order/src/entry-points/http-api.ts';
import { productApi } from './product/src/entry-points/http-api.ts';
import { userApi } from './user/src/entry-points/http-api.ts';

// Only the routes' declarations are read: no handler runs, so they get no domain and a throwaway key.
const nothing = {} as never;
const tokens = new AccessTokens('document-only-key-'.padEnd(32, 'x'));
const APIS: Api[] = [
  userApi(nothing, tokens),
  productApi(nothing, tokens),
  orderApi(nothing, tokens),
  notificationApi(nothing, tokens),
  analyticsApi(nothing, tokens),
];

export function apiDocument(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const api of APIS) Object.assign(paths, (api.document() as { paths: Record<string, unknown> }).paths);
  return {
    openapi: '3.1.0',
    info: { title: 'stackdrill API', version: '1.0.0' },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
}
