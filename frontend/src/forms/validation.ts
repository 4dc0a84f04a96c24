/**
 * Client-side checks that mirror the API's own rules (the user service's and product service's
 * schemas), so a person sees what to fix before sending; the API still has the last word.
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function registrationErrors(input: { name: string; email: string; password: string }) {
  const errors: Record<string, string> = {};
  if (!input.name.trim()) errors.name = 'Enter your name.';
  else if (input.name.trim().length > 100) errors.name = 'Use at most 100 characters.';
  if (!EMAIL.test(input.email.trim())) errors.email = 'Enter an email address such as ada@example.com.';
  else if (input.email.trim().length > 254) errors.email = 'Use at most 254 characters.';
  if (input.password.length < 10) errors.password = 'Use at least 10 characters.';
  else if (input.password.length > 200) errors.password = 'Use at most 200 characters.';
  return errors;
}

export function signInErrors(input: { email: string; password: string }) {
  const errors: Record<string, string> = {};
  if (!EMAIL.test(input.email.trim())) errors.email = 'Enter the email address you registered with.';
  if (!input.password) errors.password = 'Enter your password.';
  return errors;
}

export function productErrors(input: {
  sku: string;
  name: string;
  description?: string;
  category: string;
  price: string;
  stock: string;
}) {
  const errors: Record<string, string> = {};
  if (!/^[A-Z0-9-]{3,40}$/.test(input.sku))
    errors.sku = 'A SKU is 3-40 upper-case letters, digits and dashes.';
  if (!input.name.trim()) errors.name = 'Enter a name.';
  else if (input.name.trim().length > 200) errors.name = 'Use at most 200 characters.';
  if ((input.description ?? '').length > 2000) errors.description = 'Use at most 2000 characters.';
  if (!/^[a-z0-9-]{2,40}$/.test(input.category))
    errors.category = 'A category is lower-case letters, digits and dashes.';
  const price = Number(input.price);
  if (!/^\d+(\.\d{1,2})?$/.test(input.price.trim()) || !(price >= 0.01) || price > 1_000_000)
    errors.price = 'Enter a price such as 12.50 (from 0.01 to 1,000,000).';
  const stock = Number(input.stock);
  if (input.stock.trim() === '' || !Number.isInteger(stock) || stock < 0 || stock > 1_000_000)
    errors.stock = 'Enter a whole number from 0 to 1,000,000.';
  return errors;
}
