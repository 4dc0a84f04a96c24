import { describe, expect, it } from 'vitest';
import { loadKeyFor } from './load-key.ts';

// The local-instance case reads that instance's state: load-command.int.test.ts covers it.
describe('the load key for a target', () => {
  it('when STACKDRILL_LOAD_KEY is set, then that is the key, whatever the target', async () => {
    expect(await loadKeyFor('https://shop.example.com', { STACKDRILL_LOAD_KEY: 'remote-key' })).toEqual({
      key: 'remote-key',
      source: 'STACKDRILL_LOAD_KEY',
    });
  });

  it('when the target is no local instance and no key is given, then there is none (the load goes unmarked)', async () => {
    expect(await loadKeyFor('https://shop.example.com', {})).toBeUndefined();
    expect(await loadKeyFor('http://127.0.0.1:1', {})).toBeUndefined();
  });
});
