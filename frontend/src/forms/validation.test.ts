import { describe, expect, it } from 'vitest';
import { productErrors, registrationErrors, signInErrors } from './validation.ts';

describe('form validation (mirrors the API)', () => {
  it('when registering with a short password or a bad email, then each field says what to fix', () => {
    expect(registrationErrors({ name: '', email: 'ada', password: 'short' })).toEqual({
      name: 'Enter your name.',
      email: 'Enter an email address such as ada@example.com.',
      password: 'Use at least 10 characters.',
    });
    expect(registrationErrors({ name: 'Ada', email: 'ada@example.com', password: 'long enough 1' })).toEqual(
      {},
    );
  });

  it('when signing in with nothing, then both fields are asked for', () => {
    expect(Object.keys(signInErrors({ email: '', password: '' }))).toEqual(['email', 'password']);
  });

  it('when a product has a lower-case SKU, a bad category or price, then the API rule is said', () => {
    const errors = productErrors({
      sku: 'abc',
      name: 'Mug',
      category: 'Kitchen Stuff',
      price: '1.234',
      stock: '-1',
    });
    expect(errors.sku).toMatch(/upper-case/);
    expect(errors.category).toMatch(/lower-case/);
    expect(errors.price).toMatch(/12.50/);
    expect(errors.stock).toMatch(/whole number/);
    expect(
      productErrors({ sku: 'MUG-1', name: 'Mug', category: 'kitchen', price: '12.50', stock: '3' }),
    ).toEqual({});
  });
});
