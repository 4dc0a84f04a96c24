import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type BoundAddress, type EventEnvelope } from '@stackdrill/kit';
import { dataTierEnvironment, openProvider, type Endpoints } from '@stackdrill/stack';
import { SignJWT } from 'jose';
import { MongoClient } from 'mongodb';
import { callJson, collectEvents, contractAt } from '@stackdrill/kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CONFIG } from './config.ts';
import { createUserService, type UserService } from './user-service.ts';

// Runs against the `test` instance of the stack (stack/test/global-setup.ts), in its own database.
const JWT_SECRET = 'integration-test-secret-0123456789abcdef';
const INTERNAL_API_KEY = 'integration-test-api-key-0123456789abcdef';
const dbName = `users_it_${randomUUID().slice(0, 8)}`;
let app: UserService;
let address: BoundAddress;
let endpoints: Endpoints;

type Json = Record<string, unknown> & { code?: string; message?: string; details?: { path: string }[] };
const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  callJson<Json>(address.url, method, path, { body, headers });

const newCustomer = () => ({
  email: `Ada.${randomUUID().slice(0, 8)}@Example.com`,
  password: 'correct horse battery',
  name: 'Ada',
});

beforeAll(async () => {
  endpoints = (await openProvider('test')).endpoints();
  const config = loadConfig('user', USER_CONFIG, {
    PORT: '0',
    LOG_LEVEL: 'warn',
    ...dataTierEnvironment(endpoints, { jwtSecret: JWT_SECRET, internalApiKey: INTERNAL_API_KEY }),
    MONGO_DB: dbName,
  });
  app = await createUserService(config);
  address = await app.service.start(0);
});

afterAll(async () => {
  await app?.service.stop();
});

describe('POST /api/users', () => {
  it('when a customer registers, then 201 with the profile and the email stored lower-case', async () => {
    const customer = newCustomer();
    const { status, body } = await call('POST', '/api/users', customer);
    expect(status).toBe(201);
    expect(body).toMatchObject({ email: customer.email.toLowerCase(), name: 'Ada', role: 'customer' });
    expect(body).not.toHaveProperty('passwordHash');
  });

  it('when the email is taken (in any case), then 409 EMAIL_TAKEN', async () => {
    const customer = newCustomer();
    expect((await call('POST', '/api/users', customer)).status).toBe(201);
    const again = await call('POST', '/api/users', { ...customer, email: customer.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('EMAIL_TAKEN');
  });

  it('when input is bad, then 400 naming the field, and nothing is stored', async () => {
    const cases: [unknown, string][] = [
      [{ ...newCustomer(), email: 'not-an-email' }, 'email'],
      [{ ...newCustomer(), password: 'short' }, 'password'],
      [{ ...newCustomer(), role: 'admin' }, ''],
      [{ ...newCustomer(), email: { $ne: '' } }, 'email'],
      [{ email: 'a@b.co', password: 'long enough password' }, 'name'],
    ];
    for (const [input, field] of cases) {
      const { status, body } = await call('POST', '/api/users', input);
      expect(status, JSON.stringify(input)).toBe(400);
      expect(body.code).toBe('VALIDATION_FAILED');
      expect(body.details?.[0]?.path).toBe(field);
    }
    const malformed = await call('POST', '/api/users', '{"email": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('MALFORMED_JSON');
    const client = new MongoClient(endpoints.mongo.uri);
    try {
      expect(await client.db(dbName).collection('users').countDocuments({ email: 'a@b.co' })).toBe(0);
    } finally {
      await client.close();
    }
  });

  it('when a name has a control or bidi character or a space at either end, then 400, and the document refuses it too', async () => {
    const contract = await contractAt(address.url);
    for (const name of ['Ada\u0000', 'Ada\u202eevil', '\u200f', ' Ada', 'Ada ', 'x'.repeat(101)]) {
      const customer = { ...newCustomer(), name };
      expect(contract.allows('registerUser', 'body', customer), JSON.stringify(name)).toBe(false);
      const { status, body } = await call('POST', '/api/users', customer);
      expect(status, JSON.stringify(name)).toBe(400);
      expect(body.details?.[0]?.path).toBe('name');
    }
  });

  it('when a name is valid per the document, then it is accepted as sent (lengths count characters)', async () => {
    const contract = await contractAt(address.url);
    for (const name of ['A', 'Ada Lovelace', 'Zoë O’Brien 😀', 'x'.repeat(100), '😀'.repeat(100)]) {
      const customer = { ...newCustomer(), name };
      expect(contract.allows('registerUser', 'body', customer), name).toBe(true);
      const { status, body } = await call('POST', '/api/users', customer);
      expect(status, name).toBe(201);
      expect(body.name).toBe(name);
    }
  });

  it('when a customer registers, then user.registered is published once from the outbox, in the request trace', async () => {
    const traceId = randomUUID().replaceAll('-', '');
    const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;
    const { body: user } = await call('POST', '/api/users', newCustomer(), { traceparent });
    const collector = await collectEvents(
      endpoints.kafka.brokers,
      'user-events',
      (e) => e.subject === user.id,
    );
    let seen: EventEnvelope[];
    try {
      seen = await collector.until((events) => events.length > 0, 30_000);
      await sleep(1000); // a duplicate would arrive right behind
    } finally {
      await collector.stop();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      type: 'user.registered',
      source: 'user-service',
      data: { userId: user.id, email: user.email },
    });
    expect(seen[0]!.traceparent?.split('-')[1]).toBe(traceId);
    const client = new MongoClient(endpoints.mongo.uri);
    try {
      const doc = await client
        .db(dbName)
        .collection('users')
        .findOne({ _id: user.id as never });
      expect(doc?.outbox?.sentAt).toBeInstanceOf(Date);
    } finally {
      await client.close();
    }
  });
});

describe('POST /api/auth/token and GET /api/users/me', () => {
  it('when signing in with the right password, then tokens that open the profile', async () => {
    const customer = newCustomer();
    await call('POST', '/api/users', customer);
    const token = await call('POST', '/api/auth/token', {
      grant_type: 'password',
      email: customer.email,
      password: customer.password,
    });
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    const me = await call('GET', '/api/users/me', undefined, {
      authorization: `Bearer ${String(token.body.access_token)}`,
    });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(customer.email.toLowerCase());
  });

  it('when the password is wrong or the account unknown, then the same 401', async () => {
    const customer = newCustomer();
    await call('POST', '/api/users', customer);
    const wrong = await call('POST', '/api/auth/token', {
      grant_type: 'password',
      email: customer.email,
      password: 'wrong password!',
    });
    const unknown = await call('POST', '/api/auth/token', {
      grant_type: 'password',
      email: 'nobody@example.com',
      password: 'whatever it is',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('when signing in with a wrong password or an unknown email, then both take about as long (no account enumeration by timing)', async () => {
    const customer = newCustomer();
    await call('POST', '/api/users', customer);
    const timed = async (email: string) => {
      const t0 = performance.now();
      const { status } = await call('POST', '/api/auth/token', {
        grant_type: 'password',
        email,
        password: 'wrong password!',
      });
      expect(status).toBe(401);
      return performance.now() - t0;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, so a busy moment of the shared machine weighs on both kinds alike.
    for (let i = 0; i < 15; i++) {
      known.push(await timed(customer.email));
      unknown.push(await timed(`nobody.${randomUUID().slice(0, 8)}@example.com`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(known) / median(unknown);
    console.info(
      `sign-in medians: wrong password ${median(known).toFixed(1)} ms, unknown email ${median(unknown).toFixed(1)} ms, ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.67);
  });

  it('when sign-in fails, then its 401 is declared in the document with the error body', async () => {
    const { body } = await call('GET', '/openapi.json');
    const paths = body.paths as Record<string, Record<string, { responses: Record<string, object> }>>;
    expect(paths['/api/auth/token']!.post!.responses['401']).toMatchObject({
      content: { 'application/json': { schema: { required: ['code', 'message'] } } },
    });
  });

  it('when the grant type is unknown, then 400', async () => {
    expect((await call('POST', '/api/auth/token', { grant_type: 'magic' })).status).toBe(400);
  });

  it('when the token is missing, forged or expired, then 401 with a reason', async () => {
    expect((await call('GET', '/api/users/me')).status).toBe(401);
    const forged = await new SignJWT({ email: 'x@y.z', role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(randomUUID())
      .setIssuer('stackdrill')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('some-other-secret-that-is-long-enough!!'));
    const f = await call('GET', '/api/users/me', undefined, { authorization: `Bearer ${forged}` });
    expect(f.status).toBe(401);
    expect(f.body.message).toBe('the access token is not valid');
    const expired = await new SignJWT({ email: 'x@y.z', role: 'customer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(randomUUID())
      .setIssuer('stackdrill')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const e = await call('GET', '/api/users/me', undefined, { authorization: `Bearer ${expired}` });
    expect(e.status).toBe(401);
    expect(e.body.message).toContain('expired');
  });

  it('when a valid token names an account that does not exist, then the 404 the document declares', async () => {
    const stranger = await new SignJWT({ email: 'gone@example.com', role: 'customer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(randomUUID())
      .setIssuer('stackdrill')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const { status, body } = await call('GET', '/api/users/me', undefined, {
      authorization: `Bearer ${stranger}`,
    });
    expect(status).toBe(404);
    expect(body.code).toBe('NOT_FOUND');
  });

  it('when an answer goes to a caller with a token, then it is Cache-Control: no-store, errors too', async () => {
    const customer = newCustomer();
    await call('POST', '/api/users', customer);
    const signIn = await call('POST', '/api/auth/token', {
      grant_type: 'password',
      email: customer.email,
      password: customer.password,
    });
    const authorization = `Bearer ${String(signIn.body.access_token)}`;
    const me = await call('GET', '/api/users/me', undefined, { authorization });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    const refused = await call('GET', '/api/users/me', undefined, { authorization: 'Bearer not-a-token' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('when a refresh token is used, then it rotates; when the old one is replayed, the whole session is revoked', async () => {
    const customer = newCustomer();
    await call('POST', '/api/users', customer);
    const first = await call('POST', '/api/auth/token', {
      grant_type: 'password',
      email: customer.email,
      password: customer.password,
    });
    const r1 = String(first.body.refresh_token);
    const second = await call('POST', '/api/auth/token', { grant_type: 'refresh_token', refresh_token: r1 });
    expect(second.status).toBe(200);
    const r2 = String(second.body.refresh_token);
    expect(r2).not.toBe(r1);

    const replay = await call('POST', '/api/auth/token', { grant_type: 'refresh_token', refresh_token: r1 });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_REUSED');
    // The stolen-token replay revoked the family: the legitimate newer token is dead too.
    const after = await call('POST', '/api/auth/token', { grant_type: 'refresh_token', refresh_token: r2 });
    expect(after.status).toBe(401);
  });
});

/** A newly registered customer's first refresh token. */
async function signedIn(): Promise<string> {
  const customer = newCustomer();
  await call('POST', '/api/users', customer);
  const { body } = await call('POST', '/api/auth/token', {
    grant_type: 'password',
    email: customer.email,
    password: customer.password,
  });
  return String(body.refresh_token);
}
const refresh = (token: string) =>
  call('POST', '/api/auth/token', { grant_type: 'refresh_token', refresh_token: token });

describe('refresh-token families', () => {
  /** The token with its family part rewritten, as an attacker holding a stolen copy would send it. */
  const withFamily = (token: string, family: string) => [family, ...token.split('.').slice(1)].join('.');

  it('when an attacker rewrites the family of a stolen token and the victim then uses the original, then the attacker gets nothing and the real session is revoked', async () => {
    const original = await signedIn();
    const forged = await refresh(withFamily(original, 'attackerfam'));
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect(forged.body).not.toHaveProperty('refresh_token');
    expect(forged.body).not.toHaveProperty('access_token');
    // The real family (the server's record, not the client's claim) was revoked: the original is dead.
    const victim = await refresh(original);
    expect(victim.status).toBe(401);
    expect(victim.body).not.toHaveProperty('refresh_token');
  });

  it('when the victim rotates first and the attacker then sends a rewritten copy of the old token, then the attacker gets nothing and the victim’s new token is revoked', async () => {
    const original = await signedIn();
    const rotated = await refresh(original);
    expect(rotated.status).toBe(200);
    const forged = await refresh(withFamily(original, 'attackerfam'));
    expect(forged.status).toBe(401);
    expect(forged.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect(forged.body).not.toHaveProperty('refresh_token');
    const victim = await refresh(String(rotated.body.refresh_token));
    expect(victim.status).toBe(401);
  });

  it('when a token is rewritten to another real family, then that other session is left alone', async () => {
    const victim = await signedIn();
    const bystander = await signedIn();
    const forged = await refresh(withFamily(victim, bystander.split('.')[0]!));
    expect(forged.status).toBe(401);
    expect((await refresh(bystander)).status).toBe(200);
  });
});

describe('POST /api/auth/token with grant_type revoke (sign-out)', () => {
  const revoke = (token: string) =>
    call('POST', '/api/auth/token', { grant_type: 'revoke', refresh_token: token });

  it('when a session is revoked, then 204 and neither its current nor its earlier refresh token works', async () => {
    const first = await signedIn();
    const rotated = await refresh(first);
    const current = String(rotated.body.refresh_token);
    const revoked = await revoke(current);
    expect(revoked.status).toBe(204);
    expect(revoked.body).toEqual({});
    expect((await refresh(current)).status).toBe(401);
    expect((await refresh(first)).status).toBe(401);
  });

  it('when the token is unknown, already revoked or has a rewritten family, then 204 all the same, and the real session is ended', async () => {
    const token = await signedIn();
    expect((await revoke('nobody.knows.this-token')).status).toBe(204);
    expect((await revoke(['otherfam', ...token.split('.').slice(1)].join('.'))).status).toBe(204);
    expect((await refresh(token)).status).toBe(401);
    expect((await revoke(token)).status).toBe(204);
  });

  it('when the revoke request is bad, then 400 naming the field', async () => {
    const { status, body } = await call('POST', '/api/auth/token', { grant_type: 'revoke' });
    expect(status).toBe(400);
    expect(body.details?.[0]?.path).toBe('refresh_token');
  });
});

describe('when a dependency is down', () => {
  it('when MongoDB stops answering, then requests get 503 with Retry-After within seconds, and recover', async () => {
    const customer = newCustomer();
    await call('POST', '/api/users', customer);
    const stack = await openProvider('test');
    const handle = stack.handle('mongo');
    const mongo = handle.memberNames()[0]!;
    await handle.pause(mongo);
    try {
      const t0 = Date.now();
      const { status, body, headers } = await call('POST', '/api/auth/token', {
        grant_type: 'password',
        email: customer.email,
        password: customer.password,
      });
      expect(status).toBe(503);
      expect(body.code).toBe('DEPENDENCY_UNAVAILABLE');
      expect(headers.get('retry-after'), 'Retry-After, in whole seconds').toMatch(/^[1-9]\d*$/);
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await handle.resume(mongo);
    }
    const deadline = Date.now() + 30_000;
    let after = await call('POST', '/api/auth/token', {
      grant_type: 'password',
      email: customer.email,
      password: customer.password,
    });
    while (after.status !== 200 && Date.now() < deadline) {
      await sleep(500);
      after = await call('POST', '/api/auth/token', {
        grant_type: 'password',
        email: customer.email,
        password: customer.password,
      });
    }
    expect(after.status).toBe(200);
  });
});

describe('GET /openapi.json', () => {
  it('when fetched, then it documents the three operations of the user service', async () => {
    const { body } = await call('GET', '/openapi.json');
    const paths = body.paths as Record<string, Record<string, { operationId: string }>>;
    const operations = Object.values(paths).flatMap((methods) =>
      Object.values(methods).map((o) => o.operationId),
    );
    expect(operations.sort()).toEqual(['getMyProfile', 'issueToken', 'registerUser']);
    expect(body.openapi).toBe('3.1.0');
  });
});
