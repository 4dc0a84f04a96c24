import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { REPO_ROOT, SEED_ACCOUNTS } from '@stackdrill/stack';

/** The admin the suite signs in as: the local seed's, unless the target is another deployment. */
export const ADMIN = {
  email: process.env.E2E_ADMIN_EMAIL ?? SEED_ACCOUNTS.admin.email,
  password: process.env.E2E_ADMIN_PASSWORD ?? SEED_ACCOUNTS.admin.password,
};

/** The named screenshots (catalogue, checkout, dashboard): kept by CI as artefacts, never committed. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(REPO_ROOT, 'reports', 'e2e', 'screenshots');
  await mkdir(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** The page's largest contentful paint in ms, as the browser measured it. */
export function largestContentfulPaint(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          resolve(entries[entries.length - 1]!.startTime);
        }).observe({ type: 'largest-contentful-paint', buffered: true });
      }),
  );
}

/**
 * Everything the page reports as going wrong from now on: console errors (a resource that failed to
 * load is one, the favicon too), uncaught exceptions, and answers of 400 or more.
 */
export function recordProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error')
      problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
  return problems;
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: `Sign out (${email})` }).waitFor();
}

/** Searches the catalogue, opens the first match and adds `quantity` of it to the cart; its name. */
export async function addFirstMatch(page: Page, search: string, quantity: number): Promise<string> {
  await page.getByRole('link', { name: 'Catalogue' }).click();
  await page.getByLabel('Search products').fill(search);
  await page.getByRole('button', { name: 'Search' }).click();
  const first = page.getByRole('list', { name: 'Products' }).getByRole('link').first();
  await first.waitFor();
  const name = (await first.textContent()) ?? '';
  await first.click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
  await page.getByLabel('Quantity').fill(String(quantity));
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByText(`${quantity} × ${name} added to the cart.`).waitFor();
  return name;
}
