import { Api, cursor, type AccessTokens } from '@stackdrill/kit';
import { z } from 'zod';
import type { NotificationDomain } from '../domain/notifications.ts';

const Preferences = z.strictObject({ email: z.boolean(), sms: z.boolean(), push: z.boolean() });

/** The notification service's two APIs. */
export function notificationApi(domain: NotificationDomain, tokens: AccessTokens): Api {
  const api = new Api({ title: 'stackdrill notification service', version: '1.0.0' }, tokens);

  api.route(
    {
      method: 'get',
      path: '/api/notifications',
      operationId: 'listMyNotifications',
      summary: "The caller's notifications with their delivery status, newest first",
      auth: 'user',
      request: {
        query: z.strictObject({
          limit: z.coerce.number().int().min(1).max(50).default(20),
          cursor: cursor(300).optional(),
        }),
      },
      responses: {
        200: {
          description: 'one page of notifications',
          body: z.strictObject({
            items: z.array(
              z.strictObject({
                id: z.string(),
                kind: z.enum(['welcome', 'order_confirmation']),
                channel: z.enum(['email', 'sms', 'push']),
                subject: z.string(),
                text: z.string(),
                status: z.enum(['pending', 'sent', 'failed']),
                createdAt: z.iso.datetime(),
              }),
            ),
            nextCursor: z.string().nullable(),
          }),
        },
      },
    },
    async ({ query }, { principal }) => ({
      status: 200,
      body: await domain.listMine(principal!, query.limit, query.cursor),
    }),
  );

  api.route(
    {
      method: 'put',
      path: '/api/notifications/preferences',
      operationId: 'setNotificationPreferences',
      summary: 'Choose the channels (email, SMS, push) the caller is notified on',
      auth: 'user',
      request: { body: Preferences },
      responses: { 200: { description: 'the preferences now in force', body: Preferences } },
    },
    async ({ body }, { principal }) => ({ status: 200, body: await domain.setPreferences(principal!, body) }),
  );

  return api;
}
