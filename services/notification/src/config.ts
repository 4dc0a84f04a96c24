import { env, sharedConfig, type ConfigSchema } from '@stackdrill/kit';
import { SERVICE_DEFAULTS, serviceDb } from '@stackdrill/facts';

/** The notification service's configuration: one entry per environment variable (rendered to .env.example). */
export const NOTIFICATION_CONFIG = {
  ...sharedConfig({ service: 'notification', db: serviceDb('notification') }),
  consumerGroup: {
    env: 'CONSUMER_GROUP',
    doc: 'Kafka consumer group; every replica of the service shares it',
    schema: env.string(),
    default: 'notification-service',
  },
  smtpHost: {
    env: 'SMTP_HOST',
    doc: 'SMTP server for email (the local stack runs a sink)',
    schema: env.string(),
    default: SERVICE_DEFAULTS.smtp.host,
  },
  smtpPort: {
    env: 'SMTP_PORT',
    doc: 'SMTP port',
    schema: env.port(),
    default: String(SERVICE_DEFAULTS.smtp.port),
  },
  mailFrom: {
    env: 'MAIL_FROM',
    doc: 'sender address of every email',
    schema: env.string(),
    default: 'shop@stackdrill.local',
  },
  webhookUrl: {
    env: 'WEBHOOK_URL',
    doc: 'base URL of the SMS and push webhooks (POST <url>/sms, <url>/push)',
    schema: env.url(),
    default: SERVICE_DEFAULTS.webhookUrl,
  },
} satisfies ConfigSchema;
