import { loadConfig } from '@stackdrill/kit';
import { appEnvironment } from '@stackdrill/stack/app-env';
import { resolveInstance } from '@stackdrill/stack';
import { describe, expect, it } from 'vitest';
import { APP_CONFIGS } from '../../app-configs.ts';

// The contract between the stack (which renders each process's environment from the topology) and
// the services (which validate their environment at boot): every rendered variable is one the
// service declares, and the rendered set boots.
describe('the environment the stack renders for each app process', () => {
  const env = appEnvironment(
    resolveInstance('test'),
    {
      mongo: { uri: 'mongodb://127.0.0.1:28017/?replicaSet=rs0&w=majority', replicaSet: 'rs0', members: [] },
      redis: { masterName: 'stackdrill', sentinels: [{ host: '127.0.0.1', port: 27379 }], dataNodes: [] },
      kafka: { brokers: ['127.0.0.1:10092'], topics: [] },
    },
    { jwtSecret: 'x'.repeat(43), internalApiKey: 'y'.repeat(43), loadKey: 'z'.repeat(43) },
  );

  for (const [service, schema] of Object.entries(APP_CONFIGS)) {
    it(`when rendered for ${service}, then every variable is declared and the service's config accepts it`, () => {
      const declared = new Set(Object.values(schema).map((k) => k.env));
      for (const name of Object.keys(env[service]!))
        expect(declared, `${service} declares ${name}`).toContain(name);
      expect(() => loadConfig(service, schema, env[service]!)).not.toThrow();
    });
  }

  it('when rendered, then the gateway points at every service on its own port of the instance', () => {
    expect(env.gateway!.ORDER_SERVICE_URL).toBe('http://127.0.0.1:9083');
    expect(env.order!.PRODUCT_SERVICE_URL).toBe('http://127.0.0.1:9082');
    // Its metrics on a port of their own, not on the public one.
    expect(env.gateway!.PORT).toBe('9080');
    expect(env.gateway!.METRICS_PORT).toBe('9089');
  });
});
