import { describe, expect, it } from 'vitest';
import { signedInOperations } from './sign-in-rules.ts';

const doc = {
  paths: {
    '/api/orders': { post: { security: [{ bearer: [] }] }, get: { security: [{ bearer: [] }] } },
    '/api/orders/{id}/payment': { post: { security: [{ bearer: [] }] } },
    '/api/products/{id}': { get: { security: [{}, { bearer: [] }] } },
    '/api/users': { post: {} },
  },
};

const needs = (method: string, path: string, document: Parameters<typeof signedInOperations>[0] = doc) =>
  signedInOperations(document).some((o) => o.method === method && o.path.test(path));

describe('the operations of an OpenAPI document that need a user', () => {
  it('when an operation requires the bearer scheme, then it needs a user, its path parameters matching one segment', () => {
    expect(needs('POST', '/api/orders')).toBe(true);
    expect(needs('POST', '/api/orders/0b0e6a4e-8a4e-4c1e-9d0a-5c1f0f1e2d3c/payment')).toBe(true);
    expect(needs('POST', '/api/orders/a/b/payment')).toBe(false);
    expect(needs('POST', '/api/orders/x')).toBe(false);
  });

  it('when security is optional ({} among the alternatives) or absent, then no user is needed', () => {
    expect(needs('GET', '/api/products/p1')).toBe(false);
    expect(needs('POST', '/api/users')).toBe(false);
  });

  it("when an operation declares nothing, then the document's default applies", () => {
    const secured = { security: [{ bearer: [] }], paths: { '/api/things': { put: {} } } };
    expect(needs('PUT', '/api/things', secured)).toBe(true);
  });
});
