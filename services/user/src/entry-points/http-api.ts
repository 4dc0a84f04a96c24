import { Api, text, type AccessTokens } from '@stackdrill/kit';
import { z } from 'zod';
import type { UserDomain } from '../domain/users.ts';

const email = z.email().max(254);
const password = z.string().min(10, 'use at least 10 characters').max(200);

export const PublicUserSchema = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['customer', 'admin']),
  createdAt: z.iso.datetime(),
});

const TokenResponse = z.strictObject({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string(),
});

/** The user service's three APIs. */
export function userApi(domain: UserDomain, tokens: AccessTokens): Api {
  const api = new Api({ title: 'stackdrill user service', version: '1.0.0' }, tokens);

  api.route(
    {
      method: 'post',
      path: '/api/users',
      operationId: 'registerUser',
      summary: 'Register a customer account (emits user.registered)',
      auth: 'none',
      request: {
        body: z.strictObject({ email, password, name: text('a name', 1, 100) }),
      },
      responses: {
        201: { description: 'the account was created', body: PublicUserSchema },
        409: { description: 'an account with this email exists' },
      },
    },
    async ({ body }) => ({ status: 201, body: await domain.register(body) }),
  );

  api.route(
    {
      method: 'post',
      path: '/api/auth/token',
      operationId: 'issueToken',
      summary:
        'Sign in with a password, exchange a refresh token (rotated on every use), or revoke one (sign out)',
      auth: 'none',
      request: {
        body: z.discriminatedUnion('grant_type', [
          z.strictObject({ grant_type: z.literal('password'), email, password: z.string().min(1).max(200) }),
          z.strictObject({
            grant_type: z.literal('refresh_token'),
            refresh_token: z.string().min(10).max(300),
          }),
          // RFC 7009-style revocation on the token endpoint, so the service keeps its three APIs.
          z.strictObject({ grant_type: z.literal('revoke'), refresh_token: z.string().min(1).max(300) }),
        ]),
      },
      responses: {
        200: { description: 'a new access token and refresh token', body: TokenResponse },
        204: {
          description:
            "revoke: the refresh token's session is ended; an unknown or already revoked token answers the same",
        },
        401: { description: 'the email and password do not match, or the refresh token is not valid' },
      },
    },
    async ({ body }) => {
      if (body.grant_type === 'revoke') {
        await domain.signOut(body.refresh_token);
        return { status: 204, headers: { 'Cache-Control': 'no-store' } };
      }
      const pair =
        body.grant_type === 'password'
          ? await domain.signIn(body.email, body.password)
          : await domain.refresh(body.refresh_token);
      return {
        status: 200,
        headers: { 'Cache-Control': 'no-store' },
        body: {
          access_token: pair.accessToken,
          token_type: 'Bearer',
          expires_in: pair.expiresInS,
          refresh_token: pair.refreshToken,
        },
      };
    },
  );

  api.route(
    {
      method: 'get',
      path: '/api/users/me',
      operationId: 'getMyProfile',
      summary: "The signed-in user's profile",
      auth: 'user',
      request: {},
      responses: {
        200: { description: 'the profile', body: PublicUserSchema },
        404: { description: 'the account of the token no longer exists' },
      },
    },
    async (_input, { principal }) => ({ status: 200, body: await domain.profile(principal!) }),
  );

  return api;
}
