// The facts every layer reads and nothing below them: the topology (components, members, ports,
// topics, sizes per environment), the instances, the services' config defaults, pinned versions.
export * from './topology.ts';
export * from './instance.ts';
export * from './service-defaults.ts';
export * from './versions.ts';
export * from './address-map.ts';
export * from './disaster-recovery.ts';
