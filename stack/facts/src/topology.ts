/**
 * The one source of truth for what runs: components, their members and ports, and the sizes per
 * environment from the architecture document (../shared/ARCHITECTURE.md). Providers, manifests, load
 * tests and drills read this; nothing else repeats these numbers.
 */

/**
 * Environments, named as the architecture document names them (upper case), so that one is never
 * taken for an instance (`dev`, `test`, `bench`: stacks on this machine). `LOCAL` is the size every
 * instance runs at.
 */
export const ENVIRONMENTS = ['LOCAL', 'DEV', 'QAT', 'UAT', 'PROD'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface Autoscaling {
  min: number;
  max: number;
  cpuUtilization: number;
  memoryUtilization: number;
}

export interface WorkloadSize {
  replicas: number;
  resources?: Resources;
  autoscaling?: Autoscaling;
  /** Persistent volume size per member, Kubernetes quantity. */
  storage?: string;
}

/** HPA thresholds from "Scaling Strategy": 70% CPU, 80% memory. */
const hpa = (min: number, max: number): Autoscaling => ({
  min,
  max,
  cpuUtilization: 70,
  memoryUtilization: 80,
});

const frontendResources: Resources = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '200m', memory: '256Mi' },
};
const backendResources: Resources = {
  requests: { cpu: '250m', memory: '256Mi' },
  limits: { cpu: '500m', memory: '512Mi' },
};

type Sizes = Record<'frontend' | 'backend' | 'mongo' | 'redis' | 'kafka', WorkloadSize>;

const DEV_QAT: Sizes = {
  frontend: { replicas: 3, resources: frontendResources, autoscaling: hpa(3, 10) },
  backend: { replicas: 2, resources: backendResources, autoscaling: hpa(2, 10) },
  mongo: { replicas: 3, storage: '20Gi' },
  redis: { replicas: 1, storage: '5Gi' },
  kafka: { replicas: 3, storage: '50Gi' },
};

/**
 * Sizes per environment, as the architecture document gives them. `LOCAL` is what the native and
 * containers providers run on one machine: the full HA shape (3 Mongo members, Redis master + 2
 * replicas + 3 Sentinels, 3 Kafka brokers) with one replica per stateless workload.
 */
export const SIZES: Record<Environment, Sizes> = {
  LOCAL: {
    frontend: { replicas: 1, resources: frontendResources },
    backend: { replicas: 1, resources: backendResources },
    mongo: { replicas: 3, storage: '1Gi' },
    // 3 data nodes locally (not the document's 1 for DEV) so failover can be rehearsed.
    redis: { replicas: 3, storage: '1Gi' },
    kafka: { replicas: 3, storage: '1Gi' },
  },
  // The document sizes DEV and QAT alike.
  DEV: DEV_QAT,
  QAT: DEV_QAT,
  UAT: {
    frontend: { replicas: 5, resources: frontendResources, autoscaling: hpa(5, 20) },
    backend: { replicas: 3, resources: backendResources, autoscaling: hpa(2, 10) },
    mongo: { replicas: 3, storage: '100Gi' },
    redis: { replicas: 2, storage: '20Gi' },
    kafka: { replicas: 3, storage: '200Gi' },
  },
  PROD: {
    frontend: { replicas: 10, resources: frontendResources, autoscaling: hpa(5, 20) },
    backend: { replicas: 5, resources: backendResources, autoscaling: hpa(2, 10) },
    mongo: { replicas: 3, storage: '500Gi' },
    redis: { replicas: 3, storage: '50Gi' },
    kafka: { replicas: 3, storage: '500Gi' },
  },
};

/** The four topics of the architecture document. */
export const KAFKA_TOPICS = [
  'user-events',
  'order-events',
  'notification-events',
  'analytics-events',
] as const;
export type KafkaTopic = (typeof KAFKA_TOPICS)[number];

/**
 * Three failure domains (availability zones in a cloud, racks on premises): every tier has one
 * member in each, so losing a zone leaves a majority of every quorum. The zone-loss drill takes one
 * zone's members of every tier at once; the Kubernetes manifests will spread pods by the same zones.
 */
export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;
export type Zone = (typeof ZONES)[number];

/**
 * The data tier, member by member. Ports are those of the default (`dev`) instance; other instances
 * add their port offset (see INSTANCES), so a test stack never touches a developer's running one.
 */
export const DATA_TIER = {
  mongo: {
    replicaSet: 'rs0',
    members: [
      { name: 'mongo-0', zone: 'zone-a', port: 27017 },
      { name: 'mongo-1', zone: 'zone-b', port: 27018 },
      { name: 'mongo-2', zone: 'zone-c', port: 27019 },
    ],
    /**
     * Where members are named on a network of their own (containers), this machine's clients reach
     * the set through a SOCKS5 gate on that network, which resolves the names the members advertise.
     */
    gate: { name: 'mongo-gate', port: 27020 },
  },
  redis: {
    masterName: 'stackdrill',
    /** Sentinels that must agree a master is down before failover. */
    quorum: 2,
    /** Short for local rehearsal; production would use tens of seconds. */
    downAfterMs: 2000,
    failoverTimeoutMs: 10_000,
    /** A master that cannot reach this many replicas refuses writes (no split-brain writes). */
    minReplicasToWrite: 1,
    minReplicasMaxLagS: 10,
    dataNodes: [
      { name: 'redis-0', zone: 'zone-a', port: 6379 },
      { name: 'redis-1', zone: 'zone-b', port: 6380 },
      { name: 'redis-2', zone: 'zone-c', port: 6381 },
    ],
    sentinels: [
      { name: 'sentinel-0', zone: 'zone-a', port: 26379 },
      { name: 'sentinel-1', zone: 'zone-b', port: 26380 },
      { name: 'sentinel-2', zone: 'zone-c', port: 26381 },
    ],
  },
  kafka: {
    /** KRaft combined mode: every node is a broker and a controller. */
    nodes: [
      { name: 'kafka-0', zone: 'zone-a', nodeId: 1, port: 9092, controllerPort: 29092 },
      { name: 'kafka-1', zone: 'zone-b', nodeId: 2, port: 9093, controllerPort: 29093 },
      { name: 'kafka-2', zone: 'zone-c', nodeId: 3, port: 9094, controllerPort: 29094 },
    ],
    replicationFactor: 3,
    minInsyncReplicas: 2,
    partitionsPerTopic: 3,
    topics: KAFKA_TOPICS,
    /** JVM heap per node; three nodes must fit the data tier's memory budget. */
    heap: '256m',
  },
} as const;

/** The data-tier members the topology puts in `zone` (the app's processes are in every zone). */
export function dataTierMembersIn(zone: Zone): string[] {
  return [
    ...DATA_TIER.mongo.members,
    ...DATA_TIER.redis.dataNodes,
    ...DATA_TIER.redis.sentinels,
    ...DATA_TIER.kafka.nodes,
  ]
    .filter((m) => m.zone === zone)
    .map((m) => m.name);
}

/**
 * The fault proxy (Toxiproxy) between the app and the data tier: one listener per data-tier member
 * (Mongo members, Redis nodes and Sentinels, Kafka brokers) at the member's port plus `portOffset`,
 * on the member's host, and its API on `apiPort`. The app reaches the data tier through these, so
 * a network fault (latency, a cut, a partition) sits between clients and a component; the harness
 * and tests reach the members directly.
 */
export const FAULT_PROXY = { name: 'fault-proxy', portOffset: 400, apiPort: 8474 } as const;

/**
 * The application: the gateway, the five services and the local stand-in for the outside world
 * (mail and webhook sinks). Each is a Node process started from `services/<dir>/src/main.ts`.
 */
export const APP = {
  sinks: { dir: 'sinks', port: 8025, smtpPort: 1025 },
  // Each service with the public path prefixes it answers (the gateway routes nothing else).
  services: [
    { name: 'user', db: 'users', port: 8081, routes: ['/api/users', '/api/auth'] },
    { name: 'product', db: 'products', port: 8082, routes: ['/api/products'] },
    { name: 'order', db: 'orders', port: 8083, routes: ['/api/orders'] },
    { name: 'notification', db: 'notifications', port: 8084, routes: ['/api/notifications'] },
    { name: 'analytics', db: 'analytics', port: 8085, routes: ['/api/analytics'] },
  ],
  // /metrics on a port of its own: the gateway's port is public, its metrics are not.
  gateway: { name: 'gateway', port: 8080, metricsPort: 8089 },
  // The web UI where a provider serves it apart (containers: nginx, passing /api to the gateway);
  // the native provider's gateway serves it itself, on its own port.
  ui: { name: 'ui', port: 8070 },
} as const;

/** The header that carries the service API key on service-to-service routes (`/internal/…`). */
export const INTERNAL_API_KEY_HEADER = 'x-api-key';

export type ServiceName = (typeof APP.services)[number]['name'];
export const SERVICE_NAMES: readonly ServiceName[] = APP.services.map((s) => s.name);
/** The MongoDB database a service owns (only it writes there; drills read it to check invariants). */
export const serviceDb = (name: ServiceName): string => APP.services.find((s) => s.name === name)!.db;

/** The loopback address every local member binds to and advertises. */
export const LOCAL_HOST = '127.0.0.1';

/**
 * The shop's limits. `loadPerMinute` bounds all of the stack's own marked load together (it is
 * counted there instead of per IP): above the heaviest profile's peak (breakpoint, ~200 journeys/s,
 * ~520 requests/s) and about the stack's capacity, so the limiter never decides a load run, yet a
 * leaked load key is not unlimited.
 */
const SHOP_RATE_LIMITS = { perIpPerMinute: 1200, perUserPerMinute: 600, loadPerMinute: 60_000 } as const;

/**
 * Named stacks that can run side by side on one machine: `dev` for people, `test` for the test
 * suite, `bench` for benchmarks. Each has its own state directory and port offset. `drRegion` is
 * the instance the backup-restore drill restores into (a second "region", configured as its
 * source), so a drill never touches another stack.
 */
export const INSTANCES = {
  dev: { portOffset: 0, rateLimits: SHOP_RATE_LIMITS, testSwitches: false, drRegion: 'dev-dr' },
  // Only the test suite's instance has the test-only fault switches (a consumer without idempotency).
  test: { portOffset: 1000, rateLimits: SHOP_RATE_LIMITS, testSwitches: true, drRegion: 'test-dr' },
  // The DR regions: their offsets keep every port below the ephemeral range (32768) and apart.
  'dev-dr': { portOffset: 2500, rateLimits: SHOP_RATE_LIMITS, testSwitches: false, drRegion: undefined },
  'test-dr': { portOffset: 1500, rateLimits: SHOP_RATE_LIMITS, testSwitches: true, drRegion: undefined },
  // The test suite's stack on the containers provider, beside `test` on the native one.
  'test-containers': {
    portOffset: 3500,
    rateLimits: SHOP_RATE_LIMITS,
    testSwitches: true,
    drRegion: undefined,
  },
  // +2000 would put the bench gateway on 10080, a port fetch clients and browsers refuse.
  // Benchmarks drive one client IP far past any per-client limit: the limits are lifted there.
  bench: {
    portOffset: 3000,
    rateLimits: { perIpPerMinute: 100_000_000, perUserPerMinute: 100_000_000, loadPerMinute: 100_000_000 },
    testSwitches: false,
    drRegion: undefined,
  },
} as const;
export type InstanceName = keyof typeof INSTANCES;

/** Targets of the foundation, checked by `pnpm bench:stack`. */
export const STACK_TARGETS = {
  coldUpSeconds: 30,
  warmUpSeconds: 15,
  downSeconds: 10,
  dataTierRssMiB: 2560,
} as const;

/** Targets of the containers provider (its images built), checked by `pnpm bench:stack --provider containers`. */
export const CONTAINERS_TARGETS = {
  /** The whole system from nothing to all-ready. */
  upSeconds: 60,
  /** `pnpm images:build --offline` again with no change. */
  rebuildSeconds: 10,
} as const;
