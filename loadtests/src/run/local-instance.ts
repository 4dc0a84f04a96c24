import { INSTANCES, resolveInstance, type InstanceName } from '@stackdrill/stack';

/** The local instance whose gateway `target` is, if it is one. */
export function localInstanceOf(target: string): InstanceName | undefined {
  const origin = new URL(target).origin;
  return (Object.keys(INSTANCES) as InstanceName[]).find((name) => {
    const { host, app } = resolveInstance(name);
    return origin === `http://${host}:${app.gateway.port}`;
  });
}
