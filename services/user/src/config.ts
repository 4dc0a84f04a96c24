import { env, type ConfigSchema } from '@stackdrill/kit';

/** The user service's configuration: one entry per environment variable (rendered to .env.example). */
export const USER_CONFIG = {
  port: { env: 'PORT', doc: 'HTTP port (0 picks a free one)', schema: env.port(), default: '8081' },
  host: { env: 'HOST', doc: 'address to bind', schema: env.string(), default: '127.0.0.1' },
  logLevel: {
    env: 'LOG_LEVEL',
    doc: 'log level',
    schema: env.enumOf(['debug', 'info', 'warn', 'error']),
    default: 'info',
  },
  mongoUri: {
    env: 'MONGO_URI',
    doc: 'MongoDB connection string (replica set, majority writes)',
    schema: env.string(),
    default: 'mongodb://127.0.0.1:27017/?replicaSet=rs0&w=majority',
  },
  mongoDb: { env: 'MONGO_DB', doc: 'database of this service', schema: env.string(), default: 'users' },
  redisSentinels: {
    env: 'REDIS_SENTINELS',
    doc: 'Redis Sentinels as host:port,host:port',
    schema: env.string(),
    default: '127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381',
  },
  redisMasterName: {
    env: 'REDIS_MASTER_NAME',
    doc: 'the master name Sentinel monitors',
    schema: env.string(),
    default: 'stackdrill',
  },
  kafkaBrokers: {
    env: 'KAFKA_BROKERS',
    doc: 'Kafka bootstrap brokers as host:port,host:port',
    schema: env.string(),
    default: '127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094',
  },
  jwtSecret: {
    env: 'JWT_SECRET',
    doc: 'HS256 key for access tokens, 32+ characters',
    schema: env.string().min(32),
    secret: true,
  },
  accessTokenTtlS: {
    env: 'ACCESS_TOKEN_TTL_S',
    doc: 'access token lifetime in seconds',
    schema: env.int(60),
    default: '900',
  },
  refreshTokenTtlS: {
    env: 'REFRESH_TOKEN_TTL_S',
    doc: 'refresh session lifetime in seconds',
    schema: env.int(60),
    default: '2592000',
  },
} satisfies ConfigSchema;
