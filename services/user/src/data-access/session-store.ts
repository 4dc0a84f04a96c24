import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';

export type RefreshOutcome =
  { kind: 'rotated'; userId: string; token: string } | { kind: 'invalid' } | { kind: 'reused' };

interface SessionRecord {
  userId: string;
  secretHash: string;
}

const hash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Refresh sessions in Redis. A refresh token is `<family>.<token id>.<secret>`; only the secret's
 * hash is stored. Each token works once: it is consumed atomically (GETDEL) and replaced by a new one
 * in the same family. Presenting a token that was already consumed means it leaked: the whole family
 * is revoked.
 */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlS: number,
  ) {}

  private tokenKey = (id: string) => `session:token:${id}`;
  private familyKey = (family: string) => `session:family:${family}`;

  async issue(userId: string, family = randomBytes(12).toString('base64url')): Promise<string> {
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const record: SessionRecord = { userId, secretHash: hash(secret) };
    await this.redis
      .multi()
      .set(this.tokenKey(id), JSON.stringify(record), 'EX', this.ttlS)
      .sadd(this.familyKey(family), id)
      .expire(this.familyKey(family), this.ttlS)
      .exec();
    return `${family}.${id}.${secret}`;
  }

  async rotate(token: string): Promise<RefreshOutcome> {
    const [family, id, secret] = token.split('.');
    if (!family || !id || !secret) return { kind: 'invalid' };
    const stored = await this.redis.getdel(this.tokenKey(id));
    if (!stored) {
      // Issued in this family but already consumed: a replay. Revoke everything in the family.
      if (await this.redis.sismember(this.familyKey(family), id)) {
        await this.revokeFamily(family);
        return { kind: 'reused' };
      }
      return { kind: 'invalid' };
    }
    const record = JSON.parse(stored) as SessionRecord;
    const expected = Buffer.from(record.secretHash, 'hex');
    const actual = Buffer.from(hash(secret), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      await this.revokeFamily(family);
      return { kind: 'reused' };
    }
    return { kind: 'rotated', userId: record.userId, token: await this.issue(record.userId, family) };
  }

  private async revokeFamily(family: string): Promise<void> {
    const ids = await this.redis.smembers(this.familyKey(family));
    const pipeline = this.redis.multi();
    for (const id of ids) pipeline.del(this.tokenKey(id));
    pipeline.del(this.familyKey(family));
    await pipeline.exec();
  }
}
