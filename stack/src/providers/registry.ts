import { UsageError } from '@stackdrill/toolkit';
import type { InstanceName } from '@stackdrill/facts';
import { instancePaths } from '../paths.ts';
import { readState } from '../process/state-store.ts';
import { ContainersProvider } from './containers/containers-provider.ts';
import { NativeProvider } from './native/native-provider.ts';
import type { Provider, ProviderName } from './provider.ts';

/** Providers by name: the ones that work today and the ones on the roadmap. */
export const PROVIDERS: Record<ProviderName, string> = {
  native: 'processes on this machine (default)',
  containers: 'containers on Docker or Podman, from the stack’s own images (`pnpm images:build`)',
  kind: 'a local kind cluster (planned, roadmap step 7)',
  cluster: 'a real Kubernetes cluster (planned, roadmap step 7)',
};

const OPENERS: Partial<Record<ProviderName, (instance: InstanceName) => Promise<Provider>>> = {
  native: (instance) => NativeProvider.open(instance),
  containers: (instance) => ContainersProvider.open(instance),
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

/**
 * The provider an instance was last brought up on (its state says), so that `stack:down`, chaos
 * and drills act on it without being told again; `native` for an instance that never ran.
 */
export function recordedProvider(instance: InstanceName): ProviderName {
  const provider = readState(instancePaths(instance).stateFile)?.provider;
  return provider && Object.hasOwn(OPENERS, provider) ? (provider as ProviderName) : 'native';
}

/** Opens an instance on a provider (the one it belongs to unless said): nothing starts until `up`. */
export function openProvider(instance: InstanceName, name?: string): Promise<Provider> {
  return OPENERS[name === undefined ? recordedProvider(instance) : requireProvider(name)]!(instance);
}
