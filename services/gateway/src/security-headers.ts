import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's security headers, computed once. With static directives (no nonces, no per-request
 * functions) they are the same for every response, and running helmet's eleven middlewares per
 * request was a tenth of the gateway's CPU.
 */
export function securityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const collector = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, collector as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw new Error(`the security header options are invalid: ${String(failure)}`);
  return Object.freeze(headers);
}

/** The gateway's: helmet's defaults, minus upgrade-insecure-requests (TLS ends in front of the gateway). */
export const GATEWAY_SECURITY_HEADERS = securityHeaders({
  // Pages served over plain HTTP (a laptop, or behind an ingress that ends TLS) must not be told to
  // upgrade their asset requests.
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
});
