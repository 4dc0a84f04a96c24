import { describe, expect, it } from 'vitest';
import { parseAddressMap, renderAddressMap } from './address-map.ts';

describe('address maps', () => {
  it('when a map is rendered and parsed, then it reads back the same, and empty means none', () => {
    const map = { '127.0.0.1:6379': { host: '127.0.0.1', port: 6779 }, 'a:1': { host: 'b', port: 2 } };
    expect(parseAddressMap(renderAddressMap(map))).toEqual(map);
    expect(parseAddressMap('')).toEqual({});
  });

  it('when an entry is not from=to with host:port on each side, then the error names it', () => {
    expect(() => parseAddressMap('127.0.0.1:6379')).toThrow('"127.0.0.1:6379" is not from=to');
    expect(() => parseAddressMap('a:1=b')).toThrow('"a:1=b" is not from=to');
  });
});
