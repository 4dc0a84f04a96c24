import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  LOAD_MARK_HEADER as SIGNED_HEADER,
  loadMark,
  type HmacHex,
} from '../../../loadtests/src/model/load-mark.ts';
import { LOAD_MARK_HEADER, LOAD_MARK_WINDOW_S, LoadMarks } from './load-mark.ts';

const KEY = 'k'.repeat(43);
const NOW = 1_800_000_000_000;
const hmacHex: HmacHex = (key, message) => createHmac('sha256', key).update(message).digest('hex');
const marks = (key = KEY) => new LoadMarks(key, () => NOW);

describe('load marks', () => {
  it('when the load engines sign a mark with the key, then the gateway accepts it under the same header', () => {
    expect(SIGNED_HEADER).toBe(LOAD_MARK_HEADER);
    expect(marks().verify(loadMark(KEY, NOW, hmacHex))).toBe(true);
    expect(marks().verify(loadMark(KEY, NOW - LOAD_MARK_WINDOW_S * 1000, hmacHex))).toBe(true);
  });

  it('when a mark is signed with another key, forged or malformed, then it is refused', () => {
    const mark = loadMark(KEY, NOW, hmacHex);
    expect(marks().verify(loadMark('another key', NOW, hmacHex))).toBe(false);
    const flipped = `${mark.slice(0, -1)}${mark.endsWith('0') ? '1' : '0'}`;
    expect(marks().verify(flipped)).toBe(false);
    for (const bad of ['', 'load', `${NOW / 1000}`, `${mark}0`, mark.toUpperCase(), ` ${mark}`])
      expect(marks().verify(bad), bad).toBe(false);
    expect(marks().verify([mark, mark])).toBe(false);
    expect(marks().verify(undefined)).toBe(false);
  });

  it('when a mark is older or newer than the window, then it is refused', () => {
    const skew = (LOAD_MARK_WINDOW_S + 1) * 1000;
    expect(marks().verify(loadMark(KEY, NOW - skew, hmacHex))).toBe(false);
    expect(marks().verify(loadMark(KEY, NOW + skew, hmacHex))).toBe(false);
  });

  it('when the key is empty, then marking is disabled and no mark passes', () => {
    expect(marks('').verify(loadMark('', NOW, hmacHex))).toBe(false);
  });
});
