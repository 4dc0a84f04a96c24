import { AppError } from '../errors.ts';

/**
 * Errors that mean "a dependency is down or unreachable", by the name their client gives them. The
 * central handler turns them into 503 + Retry-After instead of a 500.
 */
const DEPENDENCY_ERRORS: Record<string, string> = {
  MongoServerSelectionError: 'the database',
  MongoNetworkError: 'the database',
  MongoNetworkTimeoutError: 'the database',
  MongoTopologyClosedError: 'the database',
  MaxRetriesPerRequestError: 'the cache',
  KafkaJSConnectionError: 'the event bus',
  KafkaJSNumberOfRetriesExceeded: 'the event bus',
  KafkaJSRequestTimeoutError: 'the event bus',
};

export function dependencyError(error: unknown): AppError | undefined {
  const name = (error as { name?: string } | null)?.name;
  if (name && DEPENDENCY_ERRORS[name]) return AppError.unavailable(DEPENDENCY_ERRORS[name]);
  const message = (error as { message?: string } | null)?.message ?? '';
  // ioredis, when the connection is down and retries are spent or the command timed out.
  if (message === 'Connection is closed.' || message === 'Command timed out')
    return AppError.unavailable('the cache');
  return undefined;
}
