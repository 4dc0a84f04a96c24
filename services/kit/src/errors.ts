/**
 * The one error type of every service. Whatever goes wrong, the client gets `{ code, message,
 * details }` with the right status; the central handler turns anything else into a 500 without
 * internals.
 */
export interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
  requestId?: string;
}

export class AppError extends Error {
  override name = 'AppError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Seconds, for 429 and 503 (sent as Retry-After). */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }

  static badRequest(message: string, details?: unknown) {
    return new AppError(400, 'BAD_REQUEST', message, details);
  }
  static unauthorized(message = 'sign in first: this needs a valid access token') {
    return new AppError(401, 'UNAUTHORIZED', message);
  }
  static forbidden(message = 'your account is not allowed to do this') {
    return new AppError(403, 'FORBIDDEN', message);
  }
  static notFound(what: string) {
    return new AppError(404, 'NOT_FOUND', `${what} was not found`);
  }
  static conflict(message: string, details?: unknown) {
    return new AppError(409, 'CONFLICT', message, details);
  }
  /** A dependency is down: the client should retry later, never hang. */
  static unavailable(dependency: string, retryAfterS = 5) {
    return new AppError(
      503,
      'DEPENDENCY_UNAVAILABLE',
      `${dependency} is unavailable; retry shortly`,
      undefined,
      retryAfterS,
    );
  }
}
