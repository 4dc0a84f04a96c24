import { describe, expect, it } from 'vitest';
import { GATEWAY_SECURITY_HEADERS, securityHeaders } from './security-headers.ts';

describe('securityHeaders', () => {
  it("when computed with helmet's defaults, then they include CSP, HSTS and nosniff", () => {
    const headers = securityHeaders({});
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-powered-by']).toBeUndefined();
  });

  it("when the gateway's are computed, then the CSP does not upgrade insecure requests", () => {
    expect(GATEWAY_SECURITY_HEADERS['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(GATEWAY_SECURITY_HEADERS['content-security-policy']).not.toContain('upgrade-insecure-requests');
  });

  it('when an option is invalid, then it fails at boot with the reason', () => {
    expect(() => securityHeaders({ referrerPolicy: { policy: 'nonsense' as never } })).toThrow(
      /Referrer-Policy received an unexpected policy token "nonsense"/,
    );
  });
});
