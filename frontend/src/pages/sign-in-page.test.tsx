import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CurrentLocation, fakeAccessToken, fakeGateway, json, renderPage } from '../testing/render-page.tsx';
import { RegisterPage, SignInPage } from './sign-in-page.tsx';

describe('the register form', () => {
  it('when submitted with what the API would refuse, then each field says what to fix and nothing is sent', async () => {
    const calls = fakeGateway(() => json(500, {}));
    renderPage(<RegisterPage />, { url: '/register' });
    await userEvent.type(screen.getByLabelText('Email'), 'ada');
    await userEvent.type(screen.getByLabelText('Password'), 'short');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Enter your name.')).toBeTruthy();
    expect(screen.getByText('Enter an email address such as ada@example.com.')).toBeTruthy();
    expect(screen.getByText('Use at least 10 characters.')).toBeTruthy();
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBe('true');
    expect(calls).toHaveLength(0);
  });

  it('when the email is taken (409), then the API message is shown on the email field', async () => {
    fakeGateway(() =>
      json(409, {
        code: 'EMAIL_TAKEN',
        message: 'an account with this email already exists; sign in instead',
      }),
    );
    renderPage(<RegisterPage />, { url: '/register' });
    await userEvent.type(screen.getByLabelText('Name'), 'Ada');
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'long enough password');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    const email = screen.getByLabelText('Email');
    expect((await screen.findByText('an account with this email already exists; sign in instead')).id).toBe(
      email.getAttribute('aria-describedby'),
    );
    expect(email.getAttribute('aria-invalid')).toBe('true');
  });
});

describe('the sign-in form', () => {
  it('when the password is wrong (401), then the API message is shown', async () => {
    fakeGateway(() => json(401, { code: 'INVALID_CREDENTIALS', message: 'the email or password is wrong' }));
    renderPage(<SignInPage />, { url: '/signin' });
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'not the password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('the email or password is wrong');
  });

  it('when signed in, then the user goes back to the page that asked for it', async () => {
    const calls = fakeGateway(() =>
      json(200, {
        access_token: fakeAccessToken({ sub: 'u1', email: 'ada@example.com', role: 'customer' }),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: 'refresh-token-0123456789',
      }),
    );
    renderPage(<SignInPage />, {
      url: '/signin?next=%2Forders%3Fpage%3D2',
      path: '/signin',
      routes: { '/orders': <CurrentLocation /> },
    });
    await userEvent.type(screen.getByLabelText('Email'), ' ada@example.com ');
    await userEvent.type(screen.getByLabelText('Password'), 'stackdrill-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByLabelText('Location')).textContent).toBe('/orders?page=2');
    expect(calls[0]!.body).toEqual({
      grant_type: 'password',
      email: 'ada@example.com',
      password: 'stackdrill-demo',
    });
  });

  it('when the way back points to another site, then the user lands on the catalogue instead', async () => {
    fakeGateway(() =>
      json(200, {
        access_token: fakeAccessToken({ sub: 'u1', email: 'ada@example.com', role: 'customer' }),
        token_type: 'Bearer',
        expires_in: 900,
        refresh_token: 'refresh-token-0123456789',
      }),
    );
    renderPage(<SignInPage />, {
      url: '/signin?next=%2F%2Fevil.example%2F',
      path: '/signin',
      routes: { '/': <CurrentLocation /> },
    });
    await userEvent.type(screen.getByLabelText('Email'), 'ada@example.com');
    await userEvent.type(screen.getByLabelText('Password'), 'stackdrill-demo');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByLabelText('Location')).textContent).toBe('/');
  });
});
