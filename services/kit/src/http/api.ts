import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AccessTokens, Principal } from '../auth/tokens.ts';
import { AppError } from '../errors.ts';
import { parseRequest, type RequestSchemas, type ValidInput } from './validate.ts';

/** `optional`: public, but a valid token names the caller (an invalid one is ignored). */
export type AuthRequirement = 'none' | 'optional' | 'user' | 'admin';

export interface RouteSpec<S extends RequestSchemas> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express pattern, e.g. `/api/products/:id`. */
  path: string;
  operationId: string;
  summary: string;
  auth: AuthRequirement;
  request: S;
  /** Request headers the route reads, for the document (e.g. `Idempotency-Key`). */
  headers?: Record<string, { required: boolean; description: string }>;
  /** Every status the route can answer with success; error statuses are common to all routes. */
  responses: Record<number, { description: string; body?: z.ZodType }>;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  req: Request;
  res: Response;
  /** Set for routes with `auth: 'user' | 'admin'`. */
  principal: Principal | undefined;
}

const ERROR_BODY = z.object({
  code: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
  requestId: z.string().optional(),
});

const COMMON_ERRORS: Record<number, string> = {
  400: 'the request is malformed or fails validation',
  413: 'the request body is too large',
  429: 'too many requests; see Retry-After',
  500: 'an unexpected error (the request id identifies it in the logs)',
  503: 'a dependency is unavailable; see Retry-After',
};

/**
 * A service's HTTP API, declared route by route. Each declaration is the single source for the
 * route's auth, request validation, response validation and its entry in the OpenAPI 3.1 document.
 */
export class Api {
  readonly router = Router();
  private readonly specs: RouteSpec<RequestSchemas>[] = [];

  constructor(
    private readonly info: { title: string; version: string },
    private readonly tokens?: AccessTokens,
  ) {}

  route<S extends RequestSchemas>(
    spec: RouteSpec<S>,
    handler: (input: ValidInput<S>, ctx: RouteContext) => Promise<Reply>,
  ): void {
    if (spec.auth !== 'none' && !this.tokens)
      throw new Error(`${spec.operationId} needs auth, but the Api has no token verifier`);
    this.specs.push(spec);
    this.router[spec.method](spec.path, async (req, res) => {
      let principal: Principal | undefined;
      if (spec.auth === 'optional') {
        principal = req.get('authorization')
          ? await this.tokens!.fromHeader(req.get('authorization')).catch(() => undefined)
          : undefined;
      } else if (spec.auth !== 'none') {
        principal = await this.tokens!.fromHeader(req.get('authorization'));
        if (spec.auth === 'admin' && principal.role !== 'admin')
          throw AppError.forbidden('this needs an admin account');
      }
      const input = parseRequest(spec.request, req);
      const reply = await handler(input, { req, res, principal });
      const declared = spec.responses[reply.status];
      if (!declared)
        throw new Error(`${spec.operationId} answered ${reply.status}, which it does not declare`);
      // Responses are validated too: a handler that returns the wrong shape is a bug, caught here.
      const body = declared.body ? declared.body.parse(reply.body) : reply.body;
      for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
      res.status(reply.status);
      if (body === undefined) res.end();
      else res.json(body);
    });
  }

  operations(): { method: string; path: string; operationId: string }[] {
    return this.specs.map((s) => ({ method: s.method, path: s.path, operationId: s.operationId }));
  }

  /** The OpenAPI 3.1 document of every declared route. */
  document(): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const spec of this.specs) {
      const path = spec.path.replace(/:(\w+)/g, '{$1}');
      const parameters = [
        ...objectParameters(spec.request.params, 'path'),
        ...objectParameters(spec.request.query, 'query'),
        ...Object.entries(spec.headers ?? {}).map(([name, h]) => ({
          name,
          in: 'header',
          required: h.required,
          description: h.description,
          schema: { type: 'string' },
        })),
      ];
      const responses: Record<string, unknown> = {};
      for (const [status, r] of Object.entries(spec.responses)) {
        responses[status] = {
          description: r.description,
          ...(r.body ? { content: json(r.body, 'output') } : {}),
        };
      }
      const errors = {
        ...COMMON_ERRORS,
        ...(spec.auth === 'user' || spec.auth === 'admin' ? { 401: 'no valid access token' } : {}),
      };
      if (spec.auth === 'admin') Object.assign(errors, { 403: 'the account is not an admin' });
      for (const [status, description] of Object.entries(errors)) {
        responses[status] = { description, content: json(ERROR_BODY, 'output') };
      }
      (paths[path] ??= {})[spec.method] = {
        operationId: spec.operationId,
        summary: spec.summary,
        ...(spec.auth === 'user' || spec.auth === 'admin' ? { security: [{ bearer: [] }] } : {}),
        ...(spec.auth === 'optional' ? { security: [{}, { bearer: [] }] } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(spec.request.body
          ? { requestBody: { required: true, content: json(spec.request.body, 'input') } }
          : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: this.info,
      paths,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    };
  }
}

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const jsonSchema = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete jsonSchema.$schema; // the document's dialect is OpenAPI 3.1's, not a per-schema one
  return jsonSchema;
}

function json(schema: z.ZodType, io: 'input' | 'output') {
  return { 'application/json': { schema: schemaOf(schema, io) } };
}

function objectParameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const js = schemaOf(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    schema: s,
  }));
}
