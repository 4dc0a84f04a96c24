import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AccessTokens, Principal } from '../auth/tokens.ts';
import { AppError } from '../errors.ts';
import { parseRequest, type RequestSchemas, type ValidInput } from './validate.ts';

/**
 * `none` and `optional` are public; on `optional` a token names the caller. On every route a token
 * that is presented but not valid (expired, forged) is a 401, as at the gateway, so a client learns
 * to refresh it rather than being served as a stranger.
 */
export type AuthRequirement = 'none' | 'optional' | 'user' | 'admin';

export interface RouteSpec<S extends RequestSchemas> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express pattern, e.g. `/api/products/:id`. */
  path: string;
  operationId: string;
  summary: string;
  auth: AuthRequirement;
  request: S;
  /**
   * Every status the route answers besides the common errors (400, 413, 415, 429, 5xx, and 401 and
   * 403 that follow from `auth`): its successes with their bodies, and its own errors (404, 409…),
   * which carry the error body.
   */
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
  /** Set for routes with `auth: 'user' | 'admin'`, and on `optional` ones when a token came. */
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
  415: 'the request body is not JSON in a supported charset and encoding',
  429: 'too many requests; see Retry-After',
  500: 'an unexpected error (the request id identifies it in the logs)',
  503: 'a dependency is unavailable; see Retry-After',
};

/**
 * A service's HTTP API, declared route by route. Each declaration is the single source for the
 * route's auth, request validation, response validation and its entry in the OpenAPI 3.1 document.
 */
export class Api {
  /** The declared routes, then a 405 for a declared path asked with another method. */
  readonly router = Router();
  private readonly routes = Router();
  private readonly wrongMethods = Router();
  private readonly specs: RouteSpec<RequestSchemas>[] = [];

  constructor(
    private readonly info: { title: string; version: string },
    private readonly tokens?: AccessTokens,
  ) {
    this.router.use(this.routes, this.wrongMethods);
  }

  route<S extends RequestSchemas>(
    spec: RouteSpec<S>,
    handler: (input: ValidInput<S>, ctx: RouteContext) => Promise<Reply>,
  ): void {
    if (spec.auth !== 'none' && !this.tokens)
      throw new Error(`${spec.operationId} needs auth, but the Api has no token verifier`);
    if (!this.specs.some((s) => s.path === spec.path)) {
      this.wrongMethods.all(spec.path, (req, res) => {
        const allowed = this.allowedMethods(spec.path);
        res.setHeader('Allow', allowed.join(', '));
        throw new AppError(
          405,
          'METHOD_NOT_ALLOWED',
          `${req.method} is not allowed on ${req.path}; it answers ${allowed.join(', ')}`,
        );
      });
    }
    this.specs.push(spec);
    this.routes[spec.method](spec.path, async (req, res) => {
      const authorization = req.get('authorization');
      // Whatever is answered to a caller with credentials may be theirs alone: no cache keeps it.
      if (authorization !== undefined || needsToken(spec.auth)) res.setHeader('Cache-Control', 'no-store');
      let principal: Principal | undefined;
      if (needsToken(spec.auth) || (this.tokens && authorization !== undefined)) {
        principal = await this.tokens!.fromHeader(authorization);
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

  /** The methods a declared path answers, as an `Allow` header lists them (HEAD with GET, as Express does). */
  private allowedMethods(path: string): string[] {
    const methods = this.specs.filter((s) => s.path === path).map((s) => s.method.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    return methods;
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
        ...objectParameters(spec.request.headers, 'header'),
      ];
      const errors: Record<number, string> = { ...COMMON_ERRORS };
      // A method that may carry a body may meet a refused Content-Type, even where none is read.
      if (spec.method === 'get') delete errors[415];
      if (needsToken(spec.auth)) errors[401] = 'no valid access token';
      else if (this.tokens) errors[401] = 'a token was sent, but it is not valid (expired?)';
      if (spec.auth === 'admin') errors[403] = 'the account is not an admin';
      const responses: Record<string, unknown> = {};
      for (const [status, description] of Object.entries(errors)) {
        responses[status] = { description, content: json(ERROR_BODY, 'output') };
      }
      for (const [status, r] of Object.entries(spec.responses)) {
        const body = r.body ?? (Number(status) >= 400 ? ERROR_BODY : undefined);
        responses[status] = {
          description: r.description,
          ...(body ? { content: json(body, 'output') } : {}),
        };
      }
      (paths[path] ??= {})[spec.method] = {
        operationId: spec.operationId,
        summary: spec.summary,
        ...(needsToken(spec.auth) ? { security: [{ bearer: [] }] } : {}),
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

const needsToken = (auth: AuthRequirement) => auth === 'user' || auth === 'admin';

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const jsonSchema = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete jsonSchema.$schema; // the document's dialect is OpenAPI 3.1's, not a per-schema one
  return jsonSchema;
}

function json(schema: z.ZodType, io: 'input' | 'output') {
  return { 'application/json': { schema: schemaOf(schema, io) } };
}

function objectParameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header') {
  if (!schema) return [];
  const js = schemaOf(schema, 'input') as {
    properties?: Record<string, { description?: string }>;
    required?: string[];
  };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    ...(s.description ? { description: s.description } : {}),
    schema: s,
  }));
}
