import { describe, expect, it } from 'vitest';
import { IdempotencyKey, isFinalAnswer } from './idempotency.ts';

function keys() {
  let n = 0;
  return () => `key-${++n}`;
}

describe('IdempotencyKey', () => {
  it('when the same body is sent again, then it gets the same key; another body gets a new one', () => {
    const key = new IdempotencyKey(undefined, keys());
    expect(key.for({ delta: 5 })).toBe('key-1');
    expect(key.for({ delta: 5 })).toBe('key-1');
    expect(key.for({ delta: 6 })).toBe('key-2');
  });

  it('when the request was answered for good, then the same body gets a new key', () => {
    const key = new IdempotencyKey(undefined, keys());
    key.for('o1');
    key.settle();
    expect(key.for('o1')).toBe('key-2');
  });

  it('when kept in a storage, then a new page finds the pending key; a damaged entry is a new key', () => {
    const storage = window.localStorage;
    storage.clear();
    const first = new IdempotencyKey({ storage, name: 'k' }, keys()).for(['a']);
    expect(new IdempotencyKey({ storage, name: 'k' }, () => 'other').for(['a'])).toBe(first);
    storage.setItem('k', '{not json');
    expect(new IdempotencyKey({ storage, name: 'k' }, () => 'fresh').for(['a'])).toBe('fresh');
  });

  it('says which answers are final: 4xx except 401, 408 and 429', () => {
    expect([400, 402, 404, 409].map(isFinalAnswer)).toEqual([true, true, true, true]);
    expect([0, 401, 408, 429, 500, 503].map(isFinalAnswer)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
