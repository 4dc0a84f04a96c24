import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

export type RefreshOutcome =
  { kind: 'rotated'; userId: string; token: string } | { kind: 'invalid' } | { kind: 'reused' };

/** What the server knows of one refresh token; the token's own family part is only a claim. */
interface SessionRecord {
  userId: string;
  family: string;
  secretHash: string;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** The parts of `<family>.<token id>.<secret>`, or undefined when it does not have three. */
function parse(token: string): { family: string; id: string; secret: string } | undefined {
  const [family, id, secret, ...rest] = token.split('.');
  return family && id && secret && rest.length === 0 ? { family, id, secret } : undefined;
}

function secretMatches(record: SessionRecord, secret: string): boolean {
  const expected = Buffer.from(record.secretHash, 'hex');
  const actual = Buffer.from(hash(secret), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * Refresh sessions in Redis. A refresh token is `<family>.<token id>.<secret>`; the server keeps, per
 * token id, the user, the family and the secret's hash. Each token works once: it is consumed
 * atomically (SET NX of its consumed mark) and replaced by a new one in the family of its record.
 * A token presented again after it was consumed, with a wrong secret, or with a family part that is
 * not its record's, leaked: the record's family (the whole session) is revoked. The family part of
 * the token is never trusted, so rewriting it can neither start a new session nor dodge revocation.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlS: number,
  ) {}

  private tokenKey = (id: string) => `session:token:${id}`;
  private consumedKey = (id: string) => `session:consumed:${id}`;
  private familyKey = (family: string) => `session:family:${family}`;
  private revokedKey = (family: string) => `session:revoked:${family}`;

  async issue(userId: string, family = randomBytes(12).toString('base64url')): Promise<string> {
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const record: SessionRecord = { userId, family, secretHash: hash(secret) };
    await this.redis
      .multi()
      .set(this.tokenKey(id), JSON.stringify(record), 'EX', this.ttlS)
      .sadd(this.familyKey(family), id)
      .expire(this.familyKey(family), this.ttlS)
      .exec();
    return `${family}.${id}.${secret}`;
  }

  async rotate(token: string): Promise<RefreshOutcome> {
    const parts = parse(token);
    if (!parts) return { kind: 'invalid' };
    const record = await this.record(parts.id);
    if (!record) return { kind: 'invalid' };
    if (!secretMatches(record, parts.secret) || parts.family !== record.family) {
      await this.revokeFamily(record.family);
      return { kind: 'reused' };
    }
    const consumed = await this.redis.set(this.consumedKey(parts.id), '1', 'EX', this.ttlS, 'NX');
    if (consumed !== 'OK') {
      // Issued, and already exchanged once: a replay. Revoke everything in the family.
      await this.revokeFamily(record.family);
      return { kind: 'reused' };
    }
    const next = await this.issue(record.userId, record.family);
    // A revocation that ran while this token was being issued may have listed the family before
    // it joined: the revoked mark (set before the listing) catches that, and the new token goes too.
    if (await this.redis.exists(this.revokedKey(record.family))) {
      await this.revokeFamily(record.family);
      return { kind: 'reused' };
    }
    return { kind: 'rotated', userId: record.userId, token: next };
  }

  /**
   * Ends the session of a refresh token: its record's family is revoked. A token that is unknown,
   * already revoked or has the wrong secret changes nothing, and the caller cannot tell which.
   */
  async revoke(token: string): Promise<void> {
    const parts = parse(token);
    if (!parts) return;
    const record = await this.record(parts.id);
    if (record && secretMatches(record, parts.secret)) await this.revokeFamily(record.family);
  }

  private async record(id: string): Promise<SessionRecord | undefined> {
    const stored = await this.redis.get(this.tokenKey(id));
    const record = stored ? (JSON.parse(stored) as Partial<SessionRecord>) : undefined;
    // Records written before families were stored name none: their sessions end (sign in again).
    return record?.family ? (record as SessionRecord) : undefined;
  }

  private async revokeFamily(family: string): Promise<void> {
    await this.redis.set(this.revokedKey(family), '1', 'EX', this.ttlS);
    const ids = await this.redis.smembers(this.familyKey(family));
    const pipeline = this.redis.multi();
    for (const id of ids) pipeline.del(this.tokenKey(id), this.consumedKey(id));
    pipeline.del(this.familyKey(family));
    await pipeline.exec();
  }
}
