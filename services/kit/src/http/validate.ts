import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';

export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  /** Request headers the route reads, by name (e.g. `Idempotency-Key`); others are not looked at. */
  headers?: z.ZodObject;
}

type Part<S extends RequestSchemas, K extends keyof RequestSchemas> = S[K] extends z.ZodType
  ? z.output<S[K]>
  : undefined;

/** The request parts a route declared, parsed and typed by its schemas. */
export interface ValidInput<S extends RequestSchemas> {
  body: Part<S, 'body'>;
  query: Part<S, 'query'>;
  params: Part<S, 'params'>;
  headers: Part<S, 'headers'>;
}

/**
 * A route handler that only runs on valid input. Schemas are strict objects, so unknown fields and
 * operator objects such as `{"$ne": …}` where a string belongs are rejected with a 400 naming the
 * field (the ZodError goes to the central handler). Async errors reach that handler too (Express 5).
 */
export function validated<S extends RequestSchemas>(
  schemas: S,
  handler: (input: ValidInput<S>, req: Request, res: Response) => Promise<void> | void,
): RequestHandler {
  return async (req, res) => {
    await handler(parseRequest(schemas, req), req, res);
  };
}

/** Parses the declared parts of a request; throws the ZodError for the central handler. */
export function parseRequest<S extends RequestSchemas>(schemas: S, req: Request): ValidInput<S> {
  return {
    body: schemas.body ? schemas.body.parse(req.body ?? {}) : undefined,
    query: schemas.query ? schemas.query.parse(req.query) : undefined,
    params: schemas.params ? schemas.params.parse(req.params) : undefined,
    headers: schemas.headers ? schemas.headers.parse(declaredHeaders(schemas.headers, req)) : undefined,
  } as ValidInput<S>;
}

/** The declared headers a request carries, under their declared names (HTTP names are case-insensitive). */
function declaredHeaders(schema: z.ZodObject, req: Request): Record<string, string> {
  const present: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = req.get(name);
    if (value !== undefined) present[name] = value;
  }
  return present;
}
