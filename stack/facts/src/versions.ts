/**
 * Pinned versions of what the native provider installs, in one machine-readable place that the
 * doctor and the tests read. Bump here and nowhere else.
 */
export const VERSIONS = {
  /** Apache Kafka broker jars from Maven Central (org.apache.kafka:kafka_2.13). */
  kafka: '3.9.1',
  /** Logging binding for Kafka 3.9 (it logs through slf4j 1.7 + reload4j). */
  slf4jReload4j: '1.7.36',
  /** FerretDB, the MongoDB wire-protocol stand-in, built from its Go module. */
  ferretdb: 'v1.24.2',
  /** Oldest Go toolchain that builds that FerretDB release. */
  goMinimum: '1.22',
  /** The schema-driven fuzzer of `pnpm test` (PyPI), in a virtualenv of its own in the cache. */
  schemathesis: '4.32.5',
  /** Toxiproxy, the fault proxy between the app and the data tier, built from its Go module. */
  toxiproxy: 'v2.5.0',
  /** Java the Kafka 3.9 broker needs at least. */
  javaMinimum: 17,
} as const;
