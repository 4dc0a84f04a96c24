import { z } from 'zod';

/**
 * Field schemas every service shares. Each says all of its rule in what the OpenAPI document can
 * carry (pattern, format, bounds), so a value valid per the document is accepted and one the
 * service refuses is invalid per the document. Patterns spell out their character sets: `\w`,
 * `\d` and `\s` mean more in other regex dialects (Python's match any Unicode letter or digit).
 */

/** An id: a UUID in either case, stored and compared in lower case (RFC 9562 reads them case-insensitively). */
export const id = () => z.uuid().toLowerCase();

const CONTROL = '\\u0000-\\u001f\\u007f-\\u009f';
/** The same without tab, line feed and carriage return, which free text may have. */
const CONTROL_BUT_LINES = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f';
/** Bidi marks, embeddings, overrides and isolates: they make a name display as other text. */
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
/** What `String.prototype.trim` removes besides control characters. */
const SPACE = ' \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * A person-given text (a name, a reason, a search): `min`-`max` characters (code points), no
 * control or bidi characters, and no space at either end. Surrounding spaces are refused rather
 * than trimmed, so the length the document states is the length stored.
 */
export function text(what: string, min: number, max: number) {
  if (min < 1 || max < Math.max(min, 2)) throw new Error(`text(${what}): needs 1 <= min <= max, max >= 2`);
  const edge = `[^${CONTROL}${BIDI}${SPACE}]`;
  const inner = `[^${CONTROL}${BIDI}]`;
  const source =
    min === 1
      ? `^${edge}(?:${inner}{0,${max - 2}}${edge})?$`
      : `^${edge}${inner}{${min - 2},${max - 2}}${edge}$`;
  return z
    .string()
    .regex(
      new RegExp(source, 'u'),
      `${what} is ${min}-${max} characters, without control or bidi characters, and does not begin or end with a space`,
    )
    .meta({ description: `${min}-${max} characters; no control or bidi characters; no space at either end` });
}

/**
 * Longer free text (a description): up to `max` characters, lines and tabs allowed, but no other
 * control character and no bidi character.
 */
export function prose(what: string, max: number) {
  return z
    .string()
    .regex(
      new RegExp(`^[^${CONTROL_BUT_LINES}${BIDI}]{0,${max}}$`, 'u'),
      `${what} is at most ${max} characters, without control characters (but for line breaks and tabs) or bidi characters`,
    )
    .meta({
      description: `at most ${max} characters; line breaks and tabs, but no other control or bidi characters`,
    });
}

/** A page cursor: opaque, so only a `nextCursor` the same listing gave out is valid (else 400). */
export const cursor = (max: number) =>
  z.string().max(max).meta({ description: 'a nextCursor this listing answered; opaque' });

/** The `Idempotency-Key` request header: the same key makes a retry act once. */
export const idempotencyKey = (description: string) =>
  z
    .string({ error: 'send an Idempotency-Key header (e.g. a UUID) so a retry cannot act twice' })
    .regex(/^[A-Za-z0-9_-]{8,100}$/, 'Idempotency-Key must be 8-100 letters, digits, _ or -')
    .meta({ description });
