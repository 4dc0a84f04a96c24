import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  receivedAt: string;
}

export interface ReceivedWebhook {
  channel: string;
  body: unknown;
  receivedAt: string;
}

/** Keeps at most this many messages per inbox: a bounded sink for long load runs. */
const MAX_KEPT = 10_000;

/**
 * Stands in for the outside world the notification service talks to: an SMTP server that accepts
 * every message, and an HTTP endpoint for SMS and push webhooks. Both keep what they receive in
 * memory and serve it over HTTP (`GET /mail?to=…`, `GET /webhooks?channel=…`) for tests and people.
 */
export class Sinks {
  readonly mail: ReceivedMail[] = [];
  readonly webhooks: ReceivedWebhook[] = [];
  private smtp: SMTPServer | undefined;
  private http: Server | undefined;

  async start(
    ports: { smtp: number; http: number },
    host = '127.0.0.1',
  ): Promise<{ smtpPort: number; httpUrl: string }> {
    this.smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      banner: 'stackdrill mail sink',
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const to = [parsed.to ?? []]
              .flat()
              .flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
            this.keep(this.mail, {
              to,
              from: parsed.from?.value[0]?.address ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              receivedAt: new Date().toISOString(),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    this.smtp.on('error', () => {}); // a client that drops the connection is not our failure
    this.smtp.listen(ports.smtp, host);
    await once(this.smtp.server, 'listening');

    const app = express();
    app.use(express.json({ limit: '100kb' }));
    app.get('/health', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.get('/mail', (req, res) => {
      const to = typeof req.query.to === 'string' ? req.query.to.toLowerCase() : undefined;
      res.json(to ? this.mail.filter((m) => m.to.includes(to)) : this.mail);
    });
    app.post('/webhooks/:channel', (req, res) => {
      this.keep(this.webhooks, {
        channel: req.params.channel,
        body: req.body as unknown,
        receivedAt: new Date().toISOString(),
      });
      res.status(202).json({ accepted: true });
    });
    app.get('/webhooks', (req, res) => {
      const channel = typeof req.query.channel === 'string' ? req.query.channel : undefined;
      res.json(channel ? this.webhooks.filter((w) => w.channel === channel) : this.webhooks);
    });
    this.http = app.listen(ports.http, host);
    await once(this.http, 'listening');
    return {
      smtpPort: (this.smtp.server.address() as AddressInfo).port,
      httpUrl: `http://${host}:${(this.http.address() as AddressInfo).port}`,
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.smtp ? this.smtp.close(() => resolve()) : resolve()));
    this.http?.closeAllConnections();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
  }

  private keep<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > MAX_KEPT) list.splice(0, list.length - MAX_KEPT);
  }
}
