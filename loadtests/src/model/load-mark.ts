// The mark every load request carries, so the gateway counts the stack's own synthetic load apart
// from the per-IP limit (services/gateway/src/load-mark.ts verifies it; a test there holds both to
// one format). Runtime-neutral: each engine brings its HMAC (node:crypto, k6/crypto).

/** The request header, as the gateway reads it. */
export const LOAD_MARK_HEADER = 'x-stackdrill-load';

/** Where the load key comes from for a target that is not a local instance (whose state holds it). */
export const LOAD_KEY_ENV = 'STACKDRILL_LOAD_KEY';

/** HMAC-SHA256 of `message` under `key`, as lowercase hex. */
export type HmacHex = (key: string, message: string) => string;

/** `<unix-seconds>.<hex HMAC-SHA256(key, unix-seconds)>` for the second `nowMs` falls in. */
export function loadMark(key: string, nowMs: number, hmacHex: HmacHex): string {
  const seconds = String(Math.floor(nowMs / 1000));
  return `${seconds}.${hmacHex(key, seconds)}`;
}

/** A signer that computes one mark per second, however many requests it marks in it. */
export function loadMarker(key: string, hmacHex: HmacHex): (nowMs: number) => string {
  let second = -1;
  let mark = '';
  return (nowMs) => {
    const now = Math.floor(nowMs / 1000);
    if (now !== second) [second, mark] = [now, loadMark(key, nowMs, hmacHex)];
    return mark;
  };
}
