export {
  loadConfig,
  renderEnvExample,
  env,
  ConfigError,
  type ConfigKey,
  type ConfigSchema,
  type ConfigValues,
} from './config.ts';
export { AppError, type ErrorBody } from './errors.ts';
export { serviceMain } from './service-main.ts';
export { createLogger, type Logger } from './logger.ts';
export { ServiceMetrics } from './metrics.ts';
export { validated, parseRequest, type RequestSchemas, type ValidInput } from './http/validate.ts';
export { cursor, id, idempotencyKey, prose, text } from './http/schemas.ts';
export { Api, type RouteSpec, type Reply, type RouteContext, type AuthRequirement } from './http/api.ts';
export { toAppError, errorBody } from './http/error-handler.ts';
export { unansweredStatus } from './http/unanswered.ts';
export { readinessReport, type ReadinessCheck } from './http/health.ts';
export {
  REQUEST_TIMEOUT_MS,
  Service,
  runService,
  type ServiceDefinition,
  type BoundAddress,
  type Closer,
} from './service.ts';
export { connectMongo, isDuplicateKey, type MongoHandle } from './clients/mongo.ts';
export { connectRedis, parseHostList, type SentinelTarget } from './clients/redis.ts';
export { parseAddressMap, renderAddressMap, type AddressMap } from '@stackdrill/facts';
export { createKafka, connectProducer, connectConsumer } from './clients/kafka.ts';
export { newEvent, topicOf, EVENT_CATALOGUE, type EventEnvelope, type EventType } from './events/envelope.ts';
export { withOutbox, OutboxRelay, type Outbox } from './events/outbox.ts';
export { publishEvent } from './events/publish.ts';
export { runIdempotentConsumer } from './events/consumer.ts';
export { AccessTokens, type Principal, type Role } from './auth/tokens.ts';
export {
  sharedConfig,
  connectRuntime,
  serviceRoutes,
  type SharedConfig,
  type ServiceRuntime,
} from './runtime.ts';
export {
  FaultSwitches,
  defineFaultSwitch,
  mergeGiven,
  compileMatch,
  isExemptPath,
  KIT_FAULT_SWITCHES,
  ROUTES_SWITCH,
  CONSUMERS_SWITCH,
  IDEMPOTENCY_SWITCH,
  STALL_CHECK_MS,
  type FaultSwitch,
  type FaultSwitchDefinition,
  type AnyFaultSwitch,
  type FaultSwitchesState,
  type RouteFault,
  type ConsumerFault,
  type StalledConsumer,
} from './faults/catalogue.ts';
export { injectFaults } from './faults/middleware.ts';
export { faultRoutes } from './faults/routes.ts';
export { requireApiKey, API_KEY_HEADER } from './auth/api-key.ts';
export { BatchPublisher } from './events/batch-publisher.ts';
export { insertManyOnce, insertOnce } from './clients/mongo.ts';
export { repeatEvery } from './repeat.ts';
export {
  encodeTimeCursor,
  decodeTimeCursor,
  afterTimePosition,
  type TimePosition,
} from './http/time-cursor.ts';
export {
  setupTracing,
  flushTracing,
  traceHeaders,
  currentTraceparent,
  withEventSpan,
  startServerSpan,
  type ServerSpan,
} from './tracing.ts';
