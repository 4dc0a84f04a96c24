import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CurrentLocation, renderPage, signInAs } from '../testing/render-page.tsx';
import { RequireAuth } from './require-auth.tsx';

describe('RequireAuth', () => {
  it('when signed out, then the visitor is sent to sign in with the way back', async () => {
    renderPage(
      <RequireAuth>
        <p>the checkout</p>
      </RequireAuth>,
      { url: '/checkout?step=1', path: '/checkout', routes: { '/signin': <CurrentLocation /> } },
    );
    expect((await screen.findByLabelText('Location')).textContent).toBe(
      '/signin?next=%2Fcheckout%3Fstep%3D1',
    );
  });

  it('when a customer opens an admin page, then it says the page is for administrators', () => {
    signInAs('customer');
    renderPage(
      <RequireAuth admin>
        <p>the dashboard</p>
      </RequireAuth>,
    );
    expect(screen.getByRole('alert').textContent).toBe('This page is for shop administrators.');
    expect(screen.queryByText('the dashboard')).toBeNull();
  });

  it('when an admin opens an admin page, then it is shown', () => {
    signInAs('admin');
    renderPage(
      <RequireAuth admin>
        <p>the dashboard</p>
      </RequireAuth>,
    );
    expect(screen.getByText('the dashboard')).toBeTruthy();
  });
});
