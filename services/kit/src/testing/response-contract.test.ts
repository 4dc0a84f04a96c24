import { describe, expect, it } from 'vitest';
import { ResponseContract } from './response-contract.ts';

const ERROR = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' } },
  required: ['code', 'message'],
};
const contract = new ResponseContract({
  openapi: '3.1.0',
  paths: {
    '/api/things/{id}': {
      get: {
        operationId: 'getThing',
        responses: {
          200: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { id: { type: 'string', format: 'uuid' } },
                  required: ['id'],
                },
              },
            },
          },
          204: {},
          404: { content: { 'application/json': { schema: ERROR } } },
        },
      },
    },
    '/api/things/mine': { get: { operationId: 'getMine', responses: { 200: {} } } },
  },
});
const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: new Headers({ 'content-type': 'application/json; charset=utf-8', ...headers }),
  text: body === undefined ? '' : JSON.stringify(body),
});
const id = '0b6f3d1e-8f0a-4c2e-9a57-3d2f8e1c6b4a';

describe('ResponseContract', () => {
  it('when an answer has a declared status and a body of its schema, then no problems', () => {
    expect(contract.problems('GET', `/api/things/${id}?x=1`, answer(200, { id }))).toEqual([]);
    expect(contract.problems('GET', `/api/things/${id}`, answer(204))).toEqual([]);
  });

  it('when the status is undeclared or the body is off its schema, then the problem is named', () => {
    expect(contract.problems('GET', `/api/things/${id}`, answer(409, { code: 'X', message: 'm' }))).toEqual([
      'status 409 is not declared by getThing (declared: 200, 204, 404)',
    ]);
    expect(contract.problems('GET', `/api/things/${id}`, answer(200, { id: 'nope' }))).toEqual([
      'body/id must match format "uuid"',
    ]);
    expect(contract.problems('GET', `/api/things/${id}`, answer(404, { code: 'X' }))).toEqual([
      "body must have required property 'message'",
    ]);
    expect(
      contract.problems('GET', `/api/things/${id}`, { ...answer(200, { id }), headers: new Headers() }),
    ).toEqual(['content type is "", not application/json']);
  });

  it('when a literal path and a template both match, then the literal one is the operation', () => {
    expect(contract.problems('GET', '/api/things/mine', answer(200))).toEqual([]);
  });

  it('when a declared path is asked with another method, then only a 405 with Allow and the error body conforms', () => {
    const url = `/api/things/${id}`;
    expect(contract.problems('DELETE', url, answer(404, { code: 'NOT_FOUND', message: 'm' }))).toEqual([
      'DELETE is not declared on /api/things/{id} (only get), so 405 was due',
    ]);
    expect(contract.problems('DELETE', url, answer(405, { code: 'M', message: 'm' }))).toEqual([
      '405 without an Allow header',
    ]);
    expect(
      contract.problems('DELETE', url, answer(405, { code: 'M', message: 'm' }, { allow: 'GET' })),
    ).toEqual([]);
  });

  it('when the path is not in the document, then only an error answer conforms; health and docs are not checked', () => {
    expect(
      contract.problems('GET', '/api/elsewhere', answer(404, { code: 'NOT_FOUND', message: 'm' })),
    ).toEqual([]);
    expect(contract.problems('GET', '/api/elsewhere', answer(200, {}))).toEqual([
      'the path is not in the document, yet it answered 200',
    ]);
    expect(contract.problems('GET', '/health', answer(200, { status: 'ok' }))).toEqual([]);
  });
});
