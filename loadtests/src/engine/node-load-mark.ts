import { createHmac } from 'node:crypto';
import { loadMarker, type HmacHex } from '../model/load-mark.ts';

const hmacHex: HmacHex = (key, message) => createHmac('sha256', key).update(message).digest('hex');

/** The load mark signed with node:crypto: one HMAC per second, whatever the request rate. */
export const nodeLoadMarker = (key: string): ((nowMs: number) => string) => loadMarker(key, hmacHex);
