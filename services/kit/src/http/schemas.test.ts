import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { id, idempotencyKey, text } from './schemas.ts';

describe('text', () => {
  const name = text('a name', 1, 5);

  it('when a text has control, bidi or surrounding space characters, then it is refused', () => {
    for (const bad of ['', 'a\u0000b', 'a\u202eb', '\u2067ab', ' ab', 'ab ', '\u00a0ab', 'abcdef', 'a\nb'])
      expect(name.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('when a text is within bounds, then it passes as sent; lengths count code points', () => {
    for (const good of ['a', 'a b', 'Zoë', '😀😀😀😀😀']) expect(name.parse(good)).toBe(good);
  });

  it('when the pattern goes into the document, then it is the same rule', () => {
    const { pattern } = z.toJSONSchema(name) as { pattern: string };
    const documented = new RegExp(pattern, 'u');
    for (const value of ['a', ' a', 'a\u0000', '😀😀😀😀😀', 'abcdef']) {
      expect(documented.test(value), JSON.stringify(value)).toBe(name.safeParse(value).success);
    }
  });
});

describe('id and idempotencyKey', () => {
  it('when an id is in upper case, then it is read in lower case', () => {
    expect(id().parse('0B6F3D1E-8F0A-4C2E-9A57-3D2F8E1C6B4A')).toBe('0b6f3d1e-8f0a-4c2e-9a57-3d2f8e1c6b4a');
  });

  it('when a key is missing or malformed, then the message says what to send', () => {
    const key = idempotencyKey('k');
    expect(key.safeParse(undefined).error?.issues[0]?.message).toContain('send an Idempotency-Key');
    expect(key.safeParse('ünïcödé-key').error?.issues[0]?.message).toContain('8-100 letters');
  });
});
