import { serviceDb } from '@stackdrill/facts';
import { env, sharedConfig, type ConfigSchema } from '@stackdrill/kit';

/** The user service's configuration: one entry per environment variable (rendered to .env.example). */
export const USER_CONFIG = {
  ...sharedConfig({ service: 'user', db: serviceDb('user') }),
  refreshTokenTtlS: {
    env: 'REFRESH_TOKEN_TTL_S',
    doc: 'refresh session lifetime in seconds',
    schema: env.int(60),
    default: '2592000',
  },
} satisfies ConfigSchema;
