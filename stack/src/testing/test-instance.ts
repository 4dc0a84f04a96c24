import { isInstanceName, type InstanceName } from '@stackdrill/facts';

/**
 * The instance the integration tests act on: `test` (the native provider's, brought up by the
 * suite), or the one STACKDRILL_TEST_INSTANCE names: `pnpm test` runs the provider contract, the
 * whole flow, a network fault and a drill again on `test-containers`, on the containers provider.
 */
export function testInstance(): InstanceName {
  const named = process.env.STACKDRILL_TEST_INSTANCE;
  if (named === undefined) return 'test';
  if (!isInstanceName(named)) throw new Error(`STACKDRILL_TEST_INSTANCE=${named} names no instance`);
  return named;
}
