export * from '@stackdrill/facts';
export * from './components/handle.ts';
export { mongoUri } from './components/mongo/mongo-probe.ts';
export { ferretdbArgs } from './components/mongo/ferretdb-args.ts';
export {
  HOT_COLLECTIONS,
  HOT_PATHS,
  type HotCollection,
  type HotPath,
} from './components/mongo/hot-paths.ts';
export { withKafkaAdmin } from './components/kafka/kafka-probe.ts';
export * from './providers/provider.ts';
export { openProvider, PROVIDERS, requireProvider } from './providers/registry.ts';
export { COMMON_OPTIONS, parseStackCommand, requireInstance } from './cli/args.ts';
export { doctorLine, runDoctor } from './doctor/doctor.ts';
export {
  buildFerretdb,
  chromiumPath,
  ferretdbBinary,
  ferretdbPatches,
  ferretdbStockBinary,
} from './doctor/requirements.ts';
export { instancePaths, cacheDir, REPO_ROOT } from './paths.ts';
export { up } from './commands/up.ts';
export { down } from './commands/down.ts';
export { status } from './commands/status.ts';
export { logs } from './commands/logs.ts';
export { seed } from './commands/seed.ts';
export { images } from './commands/images.ts';
export { buildImages, IMAGES, OFFLINE_BASE, type ImagesEvent } from './images/build-images.ts';
export { seedStack } from './seed/seed.ts';
export { SEED_ACCOUNTS, seedCatalogue } from './seed/catalogue.ts';
export { runFuzz, type FuzzResult } from './fuzz/run-fuzz.ts';
export { dataTierEnvironment } from './components/app/app-env.ts';
export { testInstance } from './testing/test-instance.ts';
