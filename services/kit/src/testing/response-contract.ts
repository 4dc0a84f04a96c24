import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** An answer as the contract sees it: the raw text, so an empty body is told from `{}`. */
export interface ContractAnswer {
  status: number;
  headers: Headers;
  text: string;
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
  operationId?: string;
  parameters?: { name: string; in: string; schema?: object }[];
  requestBody?: { content?: Record<string, { schema?: object }> };
}
interface OpenApiDocument {
  openapi?: string;
  paths?: Record<string, Record<string, Operation>>;
  'x-unavailable'?: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** What every service and the gateway answer besides the API, which the document does not describe. */
const OUTSIDE_THE_API = /^\/(health|ready|metrics|openapi\.json|internal\/|api\/docs$)/;

/**
 * Checks answers against an OpenAPI 3.1 document: the status is one the operation declares, a
 * declared body has the JSON content type and matches its schema, a bodiless one is empty; a
 * declared path asked with another method answers 405 with `Allow`. Problems come back as
 * sentences; none means the answer conforms.
 */
export class ResponseContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  private readonly validators = new WeakMap<object, ValidateFunction>();
  private readonly templates: { template: string; pattern: RegExp; literal: number }[];

  constructor(private readonly document: OpenApiDocument) {
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.ajv);
    this.templates = Object.keys(document.paths ?? {})
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        literal: template.replace(/\{[^}]+\}/g, '').length,
      }))
      // `/api/users/me` before `/api/users/{id}`: the most literal template wins.
      .sort((a, b) => b.literal - a.literal);
  }

  problems(method: string, url: string, answer: ContractAnswer): string[] {
    const path = url.split('?', 1)[0]!.replace(/\/+$/, '') || '/';
    if (OUTSIDE_THE_API.test(path)) return [];
    const template = this.templates.find((t) => t.pattern.test(path))?.template;
    if (!template) return this.undocumentedPath(answer);
    const item = this.document.paths![template]!;
    const operation = item[method.toLowerCase()] ?? (method === 'HEAD' ? item.get : undefined);
    if (!operation) return this.wrongMethod(method, template, item, answer);
    const declared = operation.responses?.[String(answer.status)];
    if (!declared) {
      const statuses = Object.keys(operation.responses ?? {}).join(', ');
      return [`status ${answer.status} is not declared by ${operation.operationId} (declared: ${statuses})`];
    }
    const media = declared.content?.['application/json'];
    if (!media) {
      return answer.text === ''
        ? []
        : [`${answer.status} declares no body, but one came: ${clip(answer.text)}`];
    }
    const type = answer.headers.get('content-type') ?? '';
    if (!/^application\/json\b/.test(type)) return [`content type is "${type}", not application/json`];
    return this.bodyProblems(media.schema ?? {}, answer.text);
  }

  /**
   * Whether the document calls a request part valid: the JSON body (`part: 'body'`) or a parameter
   * by name. Tests use it to show that what the service accepts and what the document allows agree.
   */
  allows(operationId: string, part: string, value: unknown): boolean {
    const operation = Object.values(this.document.paths ?? {})
      .flatMap((item) => Object.values(item))
      .find((o) => o.operationId === operationId);
    if (!operation) throw new Error(`the document has no operation ${operationId}`);
    const schema =
      part === 'body'
        ? operation.requestBody?.content?.['application/json']?.schema
        : operation.parameters?.find((p) => p.name === part)?.schema;
    if (!schema) throw new Error(`${operationId} declares no ${part}`);
    return this.validator(schema)(value);
  }

  /** A path the document does not have: only an error may answer it (404, or a gateway's own 5xx). */
  private undocumentedPath(answer: ContractAnswer): string[] {
    if (answer.status < 400) return [`the path is not in the document, yet it answered ${answer.status}`];
    return this.errorBodyProblems(answer);
  }

  private wrongMethod(
    method: string,
    template: string,
    item: Record<string, Operation>,
    answer: ContractAnswer,
  ) {
    const declared = Object.keys(item).filter((m) => METHODS.includes(m));
    if (answer.status !== 405)
      return [`${method} is not declared on ${template} (only ${declared.join(', ')}), so 405 was due`];
    if (!answer.headers.get('allow')) return ['405 without an Allow header'];
    return this.errorBodyProblems(answer);
  }

  private errorBodyProblems(answer: ContractAnswer): string[] {
    const parsed = parse(answer.text);
    const body = parsed.ok ? (parsed.value as { code?: unknown; message?: unknown }) : undefined;
    return typeof body?.code === 'string' && typeof body.message === 'string'
      ? []
      : [`an error answer without the error body { code, message }: ${clip(answer.text)}`];
  }

  private validator(schema: object): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.validators.set(schema, validate);
    }
    return validate;
  }

  private bodyProblems(schema: object, text: string): string[] {
    const parsed = parse(text);
    if (!parsed.ok) return [`the body is not JSON: ${clip(text)}`];
    const validate = this.validator(schema);
    if (validate(parsed.value)) return [];
    return (validate.errors ?? []).map((e) => `body${e.instancePath || ''} ${e.message ?? 'is invalid'}`);
  }
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

const clip = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…` : text);

const contracts = new Map<string, Promise<ResponseContract>>();

/**
 * The contract of whatever answers at `baseUrl`: a service's `/openapi.json` or the gateway's
 * merged `/api/docs`, fetched once per base URL. No document there is an error, never a silent pass.
 */
export async function contractAt(baseUrl: string): Promise<ResponseContract> {
  const cached = contracts.get(baseUrl);
  if (cached) return cached;
  const doc = await findDocument(baseUrl);
  const contract = new ResponseContract(doc);
  // A gateway document missing a service that is down is used, not kept: its paths are then
  // undocumented (so only an error may answer them) until the service is back.
  if (!doc['x-unavailable']?.length) contracts.set(baseUrl, Promise.resolve(contract));
  return contract;
}

async function findDocument(baseUrl: string): Promise<OpenApiDocument> {
  for (const path of ['/openapi.json', '/api/docs']) {
    const response = await fetch(`${baseUrl}${path}`).catch(() => undefined);
    const doc = (await response?.json().catch(() => undefined)) as OpenApiDocument | undefined;
    if (response?.ok && typeof doc?.openapi === 'string') return doc;
  }
  throw new Error(`no OpenAPI document at ${baseUrl} (/openapi.json or /api/docs) to check answers against`);
}
