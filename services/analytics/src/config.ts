import { sharedConfig, type ConfigSchema } from '@stackdrill/kit';

/** The analytics service's configuration: one entry per environment variable (rendered to .env.example). */
export const ANALYTICS_CONFIG = {
  ...sharedConfig({ port: 8085, db: 'analytics' }),
} satisfies ConfigSchema;
