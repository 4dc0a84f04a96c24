import { UsageError } from '@stackdrill/toolkit';
import type { InstanceName } from '@stackdrill/facts';
import { NativeProvider } from './native/native-provider.ts';
import type { Provider, ProviderName } from './provider.ts';

/** Providers by name: the ones that work today and the ones on the roadmap. */
export const PROVIDERS: Record<ProviderName, string> = {
  native: 'processes on this machine (default)',
  containers: 'Testcontainers on Docker or Podman (planned, roadmap step 6)',
  kind: 'a local kind cluster (planned, roadmap step 7)',
  cluster: 'a real Kubernetes cluster (planned, roadmap step 7)',
};

const OPENERS: Partial<Record<ProviderName, (instance: InstanceName) => Promise<Provider>>> = {
  native: (instance) => NativeProvider.open(instance),
};

/** The provider by that name, or a UsageError that lists them (and says which are not built yet). */
export function requireProvider(name: string): ProviderName {
  if (Object.hasOwn(OPENERS, name)) return name as ProviderName;
  const list = Object.entries(PROVIDERS)
    .map(([n, what]) => `  ${n}: ${what}`)
    .join('\n');
  if (Object.hasOwn(PROVIDERS, name)) {
    throw new UsageError(`provider "${name}" is not available yet. Providers:\n${list}`);
  }
  throw new UsageError(`unknown provider "${name}". Providers:\n${list}`);
}

/** Opens an instance on a provider (`native` unless said): nothing starts until `up`. */
export function openProvider(instance: InstanceName, name: string = 'native'): Promise<Provider> {
  return OPENERS[requireProvider(name)]!(instance);
}
