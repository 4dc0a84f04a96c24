import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { finished, type Readable } from 'node:stream';
import { Pool } from 'undici';

/**
 * Headers that belong to one connection (RFC 9110 §7.6.1) and `host` (the pool sets the upstream's):
 * never passed on, in either direction.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
  'host',
]);

/** The headers a proxy passes on: all but the hop-by-hop ones and those the Connection header names. */
export function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const connection = headers.connection;
  const named = connection
    ? connection
        .toLowerCase()
        .split(',')
        .map((name) => name.trim())
    : [];
  const kept: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    kept[name] = value;
  }
  return kept;
}

export interface Forwarded {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: Record<string, string | string[]>;
  /** The request body as a stream (undefined: none). */
  body?: Readable;
}

export interface ForwardCallbacks {
  /**
   * The upstream answered: given its status and end-to-end headers, returns the headers to send
   * (the edge's added), before the body streams into `res`.
   */
  onHeaders(
    statusCode: number,
    headers: Record<string, string | string[]>,
  ): Record<string, string | number | string[] | undefined>;
  /** No answer (refused, reset, timed out) before any of it was sent on: answer the client yourself. */
  onUnavailable(error: Error): void;
}

/** Connections the gateway keeps to each service. */
export const POOL_CONNECTIONS = 128;

/**
 * Requests whose body is still arriving when they are forwarded hold a connection for as long as
 * their client takes: at most a quarter of the pool may do so, so stalled uploads cannot take the
 * connections every other request needs (130 of them once made a whole service unreachable).
 */
export const MAX_ARRIVING_BODIES = POOL_CONNECTIONS / 4;

/** Of those, how many one client (a user, or an address without a token) may have at once. */
export const MAX_ARRIVING_PER_CLIENT = MAX_ARRIVING_BODIES / 4;

/**
 * One service behind the gateway: a keep-alive pool, and requests streamed through it with the
 * answer written straight into the client's response (undici's `stream`: no intermediate body
 * stream, no copy of the headers into a framework reply). An error after the answer started cuts
 * the client's response; one before it leaves the answer to `onUnavailable`.
 */
export class Upstream {
  private readonly pool: Pool;
  private arriving = 0;
  /** Bodies still arriving, by client. */
  private readonly arrivingFrom = new Map<string, number>();

  constructor(origin: string, timeoutMs: number) {
    this.pool = new Pool(origin, {
      connections: POOL_CONNECTIONS,
      pipelining: 1,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /**
   * Whether a request body may be forwarded now: one that has fully arrived always may; one still
   * arriving takes one of MAX_ARRIVING_BODIES places, and one of its client's MAX_ARRIVING_PER_CLIENT,
   * until it has arrived (or its request ended). Else which bound it met.
   */
  admits(body: IncomingMessage, client: string): 'yes' | 'client busy' | 'pool busy' {
    if (body.complete) return 'yes';
    const own = this.arrivingFrom.get(client) ?? 0;
    if (own >= MAX_ARRIVING_PER_CLIENT) return 'client busy';
    if (this.arriving >= MAX_ARRIVING_BODIES) return 'pool busy';
    this.arriving++;
    this.arrivingFrom.set(client, own + 1);
    finished(body, () => {
      this.arriving--;
      const left = this.arrivingFrom.get(client)! - 1;
      if (left === 0) this.arrivingFrom.delete(client);
      else this.arrivingFrom.set(client, left);
    });
    return 'yes';
  }

  forward(request: Forwarded, res: ServerResponse, callbacks: ForwardCallbacks): void {
    let answered = false;
    this.pool.stream(
      {
        path: request.url,
        method: request.method as 'GET',
        headers: request.headers,
        ...(request.body ? { body: request.body } : {}),
      },
      ({ statusCode, headers }) => {
        res.writeHead(
          statusCode,
          callbacks.onHeaders(statusCode, endToEnd(headers as IncomingHttpHeaders)) as OutgoingHttpHeaders,
        );
        answered = true;
        return res;
      },
      (error) => {
        if (!error) return;
        if (answered) res.destroy(error);
        else callbacks.onUnavailable(error);
      },
    );
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
