import type { IncomingMessage } from 'node:http';

/**
 * The status label of a request whose connection closed before its answer was complete: 408 when
 * the server's request timeout cut it (Node answered that itself), else 499, "client closed
 * request", as nginx labels it. Never a 5xx: the server did not fail, so it counts in no error rate.
 */
export function unansweredStatus(req: IncomingMessage): 408 | 499 {
  const cause = (req.socket as { errored?: { code?: string } } | null)?.errored;
  return cause?.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 499;
}
