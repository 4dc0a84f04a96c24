import { AppError } from '../errors.ts';

/** Where a newest-first listing stopped: the last item's time and id (ids break ties). */
export interface TimePosition {
  createdAt: Date;
  id: string;
}

/** An opaque cursor for newest-first keyset pagination. */
export function encodeTimeCursor(position: TimePosition): string {
  return Buffer.from(JSON.stringify({ t: position.createdAt.toISOString(), id: position.id })).toString(
    'base64url',
  );
}

export function decodeTimeCursor(cursor: string): TimePosition {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      t?: unknown;
      id?: unknown;
    };
    const createdAt = new Date(String(parsed.t));
    if (!Number.isNaN(createdAt.getTime()) && typeof parsed.id === 'string')
      return { createdAt, id: parsed.id };
  } catch {
    // fall through
  }
  throw new AppError(400, 'INVALID_CURSOR', 'the cursor is not one this listing gave out');
}

/** The Mongo filter for "after this position" in a (createdAt desc, _id asc) order. */
export function afterTimePosition(position: TimePosition) {
  return {
    $or: [
      { createdAt: { $lt: position.createdAt } },
      { createdAt: position.createdAt, _id: { $gt: position.id } },
    ],
  };
}
