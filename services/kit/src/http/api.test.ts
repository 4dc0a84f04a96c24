import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AccessTokens } from '../auth/tokens.ts';
import { Service, type BoundAddress } from '../service.ts';
import { capturedLogger } from '../testing/captured-logger.ts';
import { Api } from './api.ts';
import { idempotencyKey } from './schemas.ts';

// One Api with a public and an authenticated route, served by the kit's Service on a free port.
const tokens = new AccessTokens('unit-test-secret-0123456789abcdef0123');
const api = new Api({ title: 'test', version: '1' }, tokens);
api.route(
  {
    method: 'get',
    path: '/api/things',
    operationId: 'listThings',
    summary: 'public',
    auth: 'none',
    request: {},
    responses: { 200: { description: 'things', body: z.strictObject({ n: z.number() }) } },
  },
  async () => ({ status: 200, body: { n: 1 } }),
);
api.route(
  {
    method: 'post',
    path: '/api/things',
    operationId: 'makeThing',
    summary: 'authenticated, with a header',
    auth: 'user',
    request: { headers: z.object({ 'Idempotency-Key': idempotencyKey('once') }) },
    responses: { 201: { description: 'made' }, 409: { description: 'the key was used' } },
  },
  async (input) => ({ status: 201, headers: { 'x-key': input.headers['Idempotency-Key'] } }),
);
const service = new Service({
  name: 'api-test',
  logger: capturedLogger('api-test', 'error').logger,
  routes: api.router,
  readiness: {},
});
let address: BoundAddress;
let token: string;

beforeAll(async () => {
  address = await service.start(0);
  token = await tokens.sign({ userId: 'u1', email: 'u@x.io', role: 'customer' });
});
afterAll(() => service.stop());

const call = (method: string, headers: Record<string, string> = {}) =>
  fetch(`${address.url}/api/things`, { method, headers });

describe('Api', () => {
  it('when a declared path is asked with another method, then 405 with Allow', async () => {
    const response = await call('DELETE');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST, HEAD');
    expect(await response.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
  });

  it('when a token is sent on a public route, then it is checked, and a valid one makes the answer no-store', async () => {
    const forged = await call('GET', { authorization: 'Bearer not.a.token' });
    expect(forged.status).toBe(401);
    const valid = await call('GET', { authorization: `Bearer ${token}` });
    expect(valid.status).toBe(200);
    expect(valid.headers.get('cache-control')).toBe('no-store');
    expect((await call('GET')).headers.get('cache-control')).toBeNull();
  });

  it('when a declared header is missing or malformed, then 400 naming it; a valid one reaches the handler', async () => {
    const authorization = `Bearer ${token}`;
    const missing = await call('POST', { authorization });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ details: [{ path: 'Idempotency-Key' }] });
    expect((await call('POST', { authorization, 'idempotency-key': 'bad key!' })).status).toBe(400);
    const made = await call('POST', { authorization, 'idempotency-key': 'key-12345' });
    expect(made.status).toBe(201);
    expect(made.headers.get('x-key')).toBe('key-12345');
  });

  it('when the document is built, then headers, the token 401 and declared errors are in it with their schemas', () => {
    const paths = api.document().paths as Record<string, Record<string, Record<string, unknown>>>;
    const make = paths['/api/things']!.post!;
    expect(make.parameters).toEqual([
      expect.objectContaining({
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        schema: expect.objectContaining({ pattern: '^[A-Za-z0-9_-]{8,100}$' }),
      }),
    ]);
    const responses = make.responses as Record<string, { content?: unknown }>;
    expect(responses['409']!.content).toBeDefined();
    expect(responses['201']!.content).toBeUndefined();
    expect(Object.keys(paths['/api/things']!.get!.responses as object)).toContain('401');
  });
});
