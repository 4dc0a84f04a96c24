import { describe, expect, it } from 'vitest';
import { ConfigError, env, loadConfig, renderEnvExample } from './config.ts';

const schema = {
  port: { env: 'PORT', doc: 'HTTP port', schema: env.port(), default: '3000' },
  logLevel: {
    env: 'LOG_LEVEL',
    doc: 'log level',
    schema: env.enumOf(['debug', 'info', 'warn', 'error']),
    default: 'info',
  },
  metrics: { env: 'ENABLE_METRICS', doc: 'serve /metrics', schema: env.bool(), default: 'true' },
  jwtSecret: { env: 'JWT_SECRET', doc: 'signs access tokens', schema: env.string(), secret: true },
};

describe('config', () => {
  it('when the environment is valid, then values are typed and defaults fill the gaps', () => {
    const config = loadConfig('user', schema, { PORT: '8081', JWT_SECRET: 's3cret' });
    expect(config).toEqual({ port: 8081, logLevel: 'info', metrics: true, jwtSecret: 's3cret' });
  });

  it('when several values are bad, then one error lists every problem with its variable and purpose', () => {
    const error = (() => {
      try {
        loadConfig('user', schema, { PORT: 'eighty', LOG_LEVEL: 'loud', ENABLE_METRICS: 'yes' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems).toHaveLength(4);
    expect(error.message).toContain('PORT="eighty"');
    expect(error.message).toContain('(HTTP port)');
    expect(error.message).toContain('LOG_LEVEL="loud"');
    expect(error.message).toContain('JWT_SECRET is required (signs access tokens)');
  });

  it('when a secret is invalid, then its value is not printed', () => {
    const strict = { token: { env: 'TOKEN', doc: 'api key', schema: env.string().min(20), secret: true } };
    expect(() => loadConfig('gw', strict, { TOKEN: 'short-secret' })).toThrow(/TOKEN=<secret>/);
    expect(() => loadConfig('gw', strict, { TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('when rendered, then .env.example documents every key and hides secrets', () => {
    const text = renderEnvExample('user', schema);
    expect(text).toContain('# HTTP port\nPORT=3000');
    expect(text).toContain('# signs access tokens (required)\nJWT_SECRET=\n');
  });
});
