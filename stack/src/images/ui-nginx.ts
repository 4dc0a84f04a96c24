import { StackError } from '@stackdrill/toolkit';

/**
 * The UI image's nginx configuration, rendered when the build context is assembled from what the
 * gateway serves the UI with (its security headers, its caching), so the two cannot drift. What
 * only the container knows (its port, the gateway's URL) is left as placeholders that the image's
 * entrypoint fills in at start (Debian's nginx has no template support).
 */

/** The placeholders the entrypoint (stack/images/ui/entrypoint.sh) replaces. */
export const UI_CONF_PLACEHOLDERS = { port: '@PORT@', gatewayUrl: '@GATEWAY_URL@' } as const;

/** The public API the UI calls on its own origin: the gateway answers `/api` and `/api/…`. */
const UI_API_PATH = '/api';

export interface UiConfSource {
  /** Headers every UI answer carries, as the gateway sets them (lower-case names). */
  headers: Readonly<Record<string, string>>;
  /** Cache-Control of the hashed assets (under `assetsPath`) and of every other page. */
  cacheControl: { assets: string; pages: string };
  assetsPath: string;
  /** Where the image keeps the built UI. */
  root: string;
}

/**
 * nginx.conf for a non-root nginx on a read-only root: pid and temporary files under /tmp/nginx,
 * logs to the container's stdout and stderr. Like the gateway: a page request (GET or HEAD that
 * accepts text/html) for a path with no file gets index.html, so client-side routes survive a
 * reload; anything else missing is a 404; the API is passed to the gateway unchanged.
 */
export function renderUiNginxConf(source: UiConfSource): string {
  const { port, gatewayUrl } = UI_CONF_PLACEHOLDERS;
  const headerLines = Object.entries(source.headers).map(
    ([name, value]) => `add_header ${headerName(name)} ${quoted(value)} always;`,
  );
  const answerHeaders = (cacheControl: string) =>
    [...headerLines, `add_header Cache-Control ${quoted(cacheControl)};`].map((l) => `      ${l}`).join('\n');
  const assets = source.assetsPath.replace(/\/?$/, '/');
  return `# Rendered by stack/src/images/ui-nginx.ts when the image is built; do not edit.
worker_processes 1;
pid /tmp/nginx/nginx.pid;
error_log stderr warn;

events {
  worker_connections 1024;
}

http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65s;
  gzip on;
  gzip_types text/css application/javascript application/json image/svg+xml;
  client_body_temp_path /tmp/nginx/client-body;
  proxy_temp_path /tmp/nginx/proxy;
  fastcgi_temp_path /tmp/nginx/fastcgi;
  uwsgi_temp_path /tmp/nginx/uwsgi;
  scgi_temp_path /tmp/nginx/scgi;

  # A browser asking for a page: it gets the app shell where no file matches (the gateway's wantsAppShell).
  map "$request_method:$http_accept" $wants_app_shell {
    default 0;
    "~^(GET|HEAD):.*text/html" 1;
  }

  server {
    listen ${port};
    root ${source.root};
    index index.html;

    # The gateway caps bodies and answers with its own error: nginx streams them through uncapped.
    client_max_body_size 0;
    proxy_request_buffering off;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;

    # The API on the same origin, answered (headers included) by the gateway.
    location = ${UI_API_PATH} {
      proxy_pass ${gatewayUrl};
    }
    location ${UI_API_PATH}/ {
      proxy_pass ${gatewayUrl};
    }

    location ${assets} {
${answerHeaders(source.cacheControl.assets)}
      try_files $uri =404;
    }

    location / {
${answerHeaders(source.cacheControl.pages)}
      try_files $uri $uri/ @app_shell;
    }

    location @app_shell {
${answerHeaders(source.cacheControl.pages)}
      if ($wants_app_shell = 0) {
        return 404;
      }
      try_files /index.html =404;
    }
  }
}
`;
}

/** A header name as nginx takes it: an HTTP token (without `$`, which nginx reads as a variable). */
function headerName(name: string): string {
  if (!/^[A-Za-z0-9!#%&'*+.^_`|~-]+$/.test(name)) throw unrenderable(`"${name}" is not a header name`);
  return name;
}

/**
 * A value as an nginx string: quoted, with quotes and backslashes escaped. nginx would read `$` as a
 * variable and has no escape for it, and no header value may hold a control character: refused.
 */
function quoted(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[$\u0000-\u001f\u007f]/.test(value))
    throw unrenderable(`the header value "${value}" has a "$" or a control character`);
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

const unrenderable = (message: string) =>
  new StackError({
    component: 'image ui',
    message: `cannot render nginx's configuration: ${message}`,
    hint: 'the headers come from services/gateway/src/security-headers.ts: check what changed there',
  });
