import { env, sharedConfig, type ConfigKey, type ConfigSchema } from '@stackdrill/kit';
import { SERVICE_DEFAULTS, SERVICE_NAMES, type ServiceName } from '@stackdrill/facts';
import { z } from 'zod';

// The gateway keeps no data of its own: of the shared keys it needs the listener, Redis and the JWT key.
const {
  mongoUri: _mongoUri,
  mongoDb: _mongoDb,
  kafkaBrokers: _kafkaBrokers,
  kafkaAddressMap: _kafkaAddressMap,
  ...shared
} = sharedConfig({ service: 'gateway', db: '-' });

/** The config key of a service's base URL, e.g. `orderServiceUrl` (ORDER_SERVICE_URL). */
export const upstreamKey = <N extends ServiceName>(name: N) => `${name}ServiceUrl` as const;

/** One upstream URL per service of the topology. */
const UPSTREAMS = Object.fromEntries(
  SERVICE_NAMES.map((name) => [
    upstreamKey(name),
    {
      env: `${name.toUpperCase()}_SERVICE_URL`,
      doc: `base URL of the ${name} service`,
      schema: env.url(),
      default: SERVICE_DEFAULTS.urlOf(name),
    },
  ]),
) as {
  [N in ServiceName as ReturnType<typeof upstreamKey<N>>]: ConfigKey & { schema: ReturnType<typeof env.url> };
};

/** The gateway's configuration: one entry per environment variable (rendered to .env.example). */
export const GATEWAY_CONFIG = {
  ...shared,
  ...UPSTREAMS,
  rateLimitPerIpPerMinute: {
    env: 'RATE_LIMIT_IP_PER_MIN',
    doc: 'requests per client IP per minute',
    schema: env.int(1),
    default: String(SERVICE_DEFAULTS.rateLimits.perIpPerMinute),
  },
  rateLimitPerUserPerMinute: {
    env: 'RATE_LIMIT_USER_PER_MIN',
    doc: 'requests per signed-in user per minute',
    schema: env.int(1),
    default: String(SERVICE_DEFAULTS.rateLimits.perUserPerMinute),
  },
  rateLimitLoadPerMinute: {
    env: 'RATE_LIMIT_LOAD_PER_MIN',
    doc: 'requests per minute of all load-marked traffic together (counted instead of its per-IP limit)',
    schema: env.int(1),
    default: String(SERVICE_DEFAULTS.rateLimits.loadPerMinute),
  },
  loadKey: {
    env: 'LOAD_KEY',
    doc: "key that signs the X-Stackdrill-Load mark of the stack's own synthetic load, 32+ characters (empty: no marks accepted)",
    schema: z.union([z.literal(''), z.string().min(32)]),
    default: '',
    secret: true,
  },
  metricsPort: {
    env: 'METRICS_PORT',
    doc: 'port of the internal listener that serves /metrics (not served on PORT, which is public; 0: any free port)',
    schema: env.port(),
    default: String(SERVICE_DEFAULTS.gateway.metricsPort),
  },
  trustedProxies: {
    env: 'TRUSTED_PROXIES',
    doc: "proxies in front of the gateway whose X-Forwarded-For is believed: addresses or CIDR ranges, comma-separated (empty: none, the client is the connection's peer)",
    schema: z.string(),
    default: '',
  },
  bodyLimitBytes: {
    env: 'BODY_LIMIT_BYTES',
    doc: 'largest request body accepted',
    schema: env.int(0),
    default: '102400',
  },
  corsOrigins: {
    env: 'CORS_ORIGINS',
    doc: 'browser origins allowed to call the API, comma-separated',
    schema: env.string(),
    default: 'http://127.0.0.1:5173,http://localhost:5173',
  },
  uiDir: {
    env: 'UI_DIR',
    doc: 'directory of the built web UI, served at / with a fallback to index.html (empty: no UI)',
    schema: z.string(),
    default: '',
  },
} satisfies ConfigSchema;
