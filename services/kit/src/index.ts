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
export { createLogger, type Logger } from './logger.ts';
export { ServiceMetrics } from './metrics.ts';
export { validated, type RequestSchemas, type ValidInput } from './http/validate.ts';
export { toAppError } from './http/error-handler.ts';
export type { ReadinessCheck } from './http/health.ts';
export { Service, runService, type ServiceDefinition, type BoundAddress, type Closer } from './service.ts';
