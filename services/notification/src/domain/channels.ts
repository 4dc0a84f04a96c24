import nodemailer from 'nodemailer';
import type { Channel } from '../data-access/notification-store.ts';

export interface Message {
  userId: string;
  /** The email address, for the email channel. */
  address: string;
  subject: string;
  text: string;
}

/** Something that hands a message to the outside world; throws when it could not. */
export type ChannelAdapter = (message: Message) => Promise<void>;

/** Email over real SMTP. */
export function emailChannel(options: { host: string; port: number; from: string }): ChannelAdapter {
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 5000,
  });
  return async (message) => {
    await transport.sendMail({
      from: options.from,
      to: message.address,
      subject: message.subject,
      text: message.text,
    });
  };
}

/** SMS and push through an HTTP webhook (a provider's API in production, the sink locally). */
export function webhookChannel(baseUrl: string, channel: 'sms' | 'push'): ChannelAdapter {
  return async (message) => {
    const response = await fetch(`${baseUrl}/${channel}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: message.userId, subject: message.subject, text: message.text }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`${channel} webhook answered ${response.status}`);
  };
}

export type Channels = Record<Channel, ChannelAdapter>;
