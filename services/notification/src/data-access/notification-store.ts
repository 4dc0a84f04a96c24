import type { Collection, Db } from 'mongodb';
import type { Outbox } from '@stackdrill/kit';

export type Channel = 'email' | 'sms' | 'push';
export const CHANNELS: Channel[] = ['email', 'sms', 'push'];

/** Who a user is, as far as messages need: learnt from user.registered, written once. */
export interface Recipient {
  _id: string;
  email: string;
  name: string;
}

export interface Preferences {
  _id: string;
  email: boolean;
  sms: boolean;
  push: boolean;
  updatedAt: Date;
}

export const DEFAULT_PREFERENCES = { email: true, sms: false, push: false } as const;

/** One message on one channel, for one event: `_id` is `<event id>:<channel>`, so an event makes it once. */
export interface NotificationDocument {
  _id: string;
  userId: string;
  kind: 'welcome' | 'order_confirmation';
  channel: Channel;
  subject: string;
  text: string;
  createdAt: Date;
}

/** The outcome of sending a notification, appended once, with its event in the outbox. */
export interface DeliveryDocument {
  _id: string;
  userId: string;
  status: 'sent' | 'failed';
  error?: string;
  at: Date;
  outbox?: Outbox;
}

export class NotificationStore {
  readonly recipients: Collection<Recipient>;
  readonly preferences: Collection<Preferences>;
  readonly notifications: Collection<NotificationDocument>;
  readonly deliveries: Collection<DeliveryDocument>;

  constructor(db: Db) {
    this.recipients = db.collection<Recipient>('recipients');
    this.preferences = db.collection<Preferences>('preferences');
    this.notifications = db.collection<NotificationDocument>('notifications');
    this.deliveries = db.collection<DeliveryDocument>('deliveries');
  }

  async ensureIndexes(): Promise<void> {
    await this.notifications.createIndex({ userId: 1, createdAt: -1 });
  }

  async preferencesOf(userId: string): Promise<Omit<Preferences, '_id' | 'updatedAt'>> {
    const stored = await this.preferences.findOne({ _id: userId });
    return stored ? { email: stored.email, sms: stored.sms, push: stored.push } : DEFAULT_PREFERENCES;
  }

  /** A whole-document replace: the last write wins, which is what a user setting their choices expects. */
  async setPreferences(prefs: Preferences): Promise<void> {
    await this.preferences.replaceOne({ _id: prefs._id }, prefs, { upsert: true });
  }
}
