import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { AuthProvider } from '../auth/auth-context.tsx';
import { CataloguePage } from './catalogue-page.tsx';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

function renderCatalogue() {
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queries}>
      <AuthProvider>
        <MemoryRouter>
          <CataloguePage />
        </MemoryRouter>
      </AuthProvider>
    </QueryClientProvider>,
  );
}

describe('the catalogue page', () => {
  it('when products load, then a loading state shows first and then each product links to its page', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        json(200, {
          items: [{ id: 'p1', sku: 'MUG-1', name: 'Blue mug', category: 'kitchen', priceCents: 1250 }],
          nextCursor: null,
        }),
      ),
    );
    renderCatalogue();
    expect(screen.getByRole('status').textContent).toContain('Loading products');
    const link = await screen.findByRole('link', { name: 'Blue mug' });
    expect(link.getAttribute('href')).toBe('/products/p1');
    expect(screen.getByText('$12.50')).toBeTruthy();
  });

  it('when the product service is down, then the page says so and offers a retry that works', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(
        json(
          503,
          { code: 'SERVICE_UNAVAILABLE', message: 'the product service is unavailable; retry shortly' },
          { 'retry-after': '5' },
        ),
      )
      .mockResolvedValueOnce(json(200, { items: [], nextCursor: null }));
    vi.stubGlobal('fetch', fetch);
    renderCatalogue();
    expect((await screen.findByRole('alert')).textContent).toContain('the product service is unavailable');
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No products match this search.')).toBeTruthy();
  });
});
