import {
  afterTimePosition,
  decodeTimeCursor,
  encodeTimeCursor,
  insertOnce,
  newEvent,
  withOutbox,
  type EventEnvelope,
  type Logger,
  type Principal,
} from '@stackdrill/kit';
import {
  CHANNELS,
  type Channel,
  type NotificationDocument,
  type NotificationStore,
} from '../data-access/notification-store.ts';
import type { Channels } from './channels.ts';

export interface NotificationView {
  id: string;
  kind: NotificationDocument['kind'];
  channel: Channel;
  subject: string;
  text: string;
  status: 'pending' | 'sent' | 'failed';
  createdAt: string;
}

export interface NotificationDomainDeps {
  store: NotificationStore;
  channels: Channels;
  logger: Logger;
  source: string;
  /** Called after an outbox is written, so the relay publishes it now rather than at its next poll. */
  outboxWritten?: () => void;
}

/**
 * Messages from events. Each (event, channel) makes one notification document (unique `_id`), and its
 * delivery outcome is appended once with `notification.sent` or `notification.failed` in the outbox.
 * A crash between sending and recording sends again on redelivery: email is at-least-once, as with
 * any real SMTP relay; the outcome and its event are recorded once.
 */
export class NotificationDomain {
  constructor(private readonly deps: NotificationDomainDeps) {}

  async handle(event: EventEnvelope): Promise<void> {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'user.registered') {
      const userId = String(data.userId);
      await insertOnce(this.deps.store.recipients, {
        _id: userId,
        email: String(data.email),
        name: String(data.name),
      });
      await this.notify(
        event,
        userId,
        'welcome',
        'Welcome to stackdrill',
        `Hello ${String(data.name)}, your account is ready.`,
      );
    } else if (event.type === 'order.paid') {
      const total = (Number(data.totalCents) / 100).toFixed(2);
      await this.notify(
        event,
        String(data.userId),
        'order_confirmation',
        'Your order is confirmed',
        `We received your payment of ${total} for order ${String(data.orderId)}.`,
      );
    }
  }

  private async notify(
    event: EventEnvelope,
    userId: string,
    kind: NotificationDocument['kind'],
    subject: string,
    text: string,
  ): Promise<void> {
    const { store } = this.deps;
    const recipient = await store.recipients.findOne({ _id: userId });
    const preferences = await store.preferencesOf(userId);
    for (const channel of CHANNELS.filter((c) => preferences[c])) {
      const id = `${event.id}:${channel}`;
      await insertOnce(store.notifications, {
        _id: id,
        userId,
        kind,
        channel,
        subject,
        text,
        createdAt: new Date(event.time),
      });
      if (await store.deliveries.findOne({ _id: id })) continue; // delivered before this redelivery
      let error: string | undefined;
      try {
        if (channel === 'email' && !recipient) throw new Error('no email address known for this user');
        await this.deps.channels[channel]({ userId, address: recipient?.email ?? '', subject, text });
      } catch (e) {
        error = (e as Error).message;
        this.deps.logger.warn({ err: e, notification: id }, 'notification not delivered');
      }
      const outcome = newEvent(
        error ? 'notification.failed' : 'notification.sent',
        this.deps.source,
        userId,
        {
          notificationId: id,
          userId,
          kind,
          channel,
          cause: event.id,
          ...(error ? { error } : {}),
        },
      );
      await insertOnce(
        store.deliveries,
        withOutbox(
          {
            _id: id,
            userId,
            status: error ? ('failed' as const) : ('sent' as const),
            ...(error ? { error } : {}),
            at: new Date(),
          },
          [outcome],
        ),
      );
      this.deps.outboxWritten?.();
    }
  }

  async listMine(
    principal: Principal,
    limit: number,
    cursor?: string,
  ): Promise<{ items: NotificationView[]; nextCursor: string | null }> {
    const after = cursor ? decodeTimeCursor(cursor) : undefined;
    const filter = after
      ? { userId: principal.userId, ...afterTimePosition(after) }
      : { userId: principal.userId };
    const docs = await this.deps.store.notifications
      .find(filter)
      .sort({ createdAt: -1, _id: 1 })
      .limit(limit + 1)
      .toArray();
    const page = docs.slice(0, limit);
    const deliveries = await this.deps.store.deliveries
      .find({ _id: { $in: page.map((n) => n._id) } })
      .toArray();
    const status = new Map(deliveries.map((d) => [d._id, d.status]));
    const last = page.at(-1);
    return {
      items: page.map((n) => ({
        id: n._id,
        kind: n.kind,
        channel: n.channel,
        subject: n.subject,
        text: n.text,
        status: status.get(n._id) ?? 'pending',
        createdAt: n.createdAt.toISOString(),
      })),
      nextCursor:
        docs.length > limit && last ? encodeTimeCursor({ createdAt: last.createdAt, id: last._id }) : null,
    };
  }

  async setPreferences(principal: Principal, prefs: { email: boolean; sms: boolean; push: boolean }) {
    await this.deps.store.setPreferences({ _id: principal.userId, ...prefs, updatedAt: new Date() });
    return prefs;
  }
}
