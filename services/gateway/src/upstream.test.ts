import { describe, expect, it } from 'vitest';
import { endToEnd } from './upstream.ts';

describe('endToEnd', () => {
  it('drops hop-by-hop headers and host, keeps the rest as they are', () => {
    expect(
      endToEnd({
        host: 'gateway:8080',
        connection: 'keep-alive',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic eA==',
        accept: 'application/json',
        'set-cookie': ['a=1', 'b=2'],
      }),
    ).toEqual({ accept: 'application/json', 'set-cookie': ['a=1', 'b=2'] });
  });

  it('drops the headers the Connection header names, so a client cannot pass a hop-only header on', () => {
    expect(
      endToEnd({
        connection: 'close, X-Internal-Hint ,x-other',
        'x-internal-hint': '1',
        'x-other': '2',
        a: '3',
      }),
    ).toEqual({ a: '3' });
  });
});
