import { describe, expect, it } from 'vitest';
import { serviceFor } from './routes.ts';

describe('serviceFor', () => {
  it('when a path is under a prefix, with or without a query, then its service owns it', () => {
    expect(serviceFor('/api/products')).toBe('product');
    expect(serviceFor('/api/products?limit=5')).toBe('product');
    expect(serviceFor('/api/products/abc/inventory')).toBe('product');
    expect(serviceFor('/api/auth/token')).toBe('user');
  });

  it('when a path only shares a prefix’s first letters, then no service owns it', () => {
    expect(serviceFor('/api/productsx')).toBeUndefined();
    expect(serviceFor('/health')).toBeUndefined();
  });
});
