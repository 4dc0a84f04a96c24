import { randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { AccessTokens, AppError, newEvent, withOutbox, type Principal, type Role } from '@stackdrill/kit';
import { EmailTaken, type UserDocument, type UserRepository } from '../data-access/user-repository.ts';
import type { SessionStore } from '../data-access/session-store.ts';

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface TokenPair {
  accessToken: string;
  expiresInS: number;
  refreshToken: string;
}

export interface UserDomainDeps {
  users: UserRepository;
  sessions: SessionStore;
  tokens: AccessTokens;
  source: string;
  /** Called after an outbox is written, so the relay publishes it now rather than at its next poll. */
  outboxWritten?: () => void;
}

/**
 * argon2id at OWASP's minimum for it (19 MiB, 2 passes, 1 lane): the library's default (64 MiB, 3
 * passes, 4 lanes) made every sign-in take a whole core for a quarter of a second on a small machine.
 * Hashes carry their parameters, so older ones still verify.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const toPublic = (u: UserDocument): PublicUser => ({
  id: u._id,
  email: u.email,
  name: u.name,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
});

/** Emails compare case-insensitively; they are stored as typed but lower-cased. */
const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** One message for unknown email and wrong password, so sign-in does not reveal who has an account. */
const BAD_CREDENTIALS = () => new AppError(401, 'INVALID_CREDENTIALS', 'the email or password is wrong');

/** The use cases of the user service. Routes call these; they never see HTTP. */
export class UserDomain {
  /** Made once, with the parameters of real hashes, so verifying against it costs what theirs do. */
  private readonly unknownUserHash = argon2.hash(randomBytes(32), ARGON2_OPTIONS);

  constructor(private readonly deps: UserDomainDeps) {}

  /**
   * Registers a customer. The `user.registered` event is stored in the same insert (outbox), so it
   * is published if and only if the account exists.
   */
  async register(input: { email: string; password: string; name: string }): Promise<PublicUser> {
    const user: UserDocument = {
      _id: randomUUID(),
      email: normalizeEmail(input.email),
      name: input.name,
      passwordHash: await argon2.hash(input.password, ARGON2_OPTIONS),
      role: 'customer',
      createdAt: new Date(),
    };
    const event = newEvent('user.registered', this.deps.source, user._id, {
      userId: user._id,
      email: user.email,
      name: user.name,
    });
    try {
      await this.deps.users.insert(withOutbox(user, [event]));
      this.deps.outboxWritten?.();
    } catch (error) {
      if (error instanceof EmailTaken) {
        throw new AppError(409, 'EMAIL_TAKEN', 'an account with this email already exists; sign in instead');
      }
      throw error;
    }
    return toPublic(user);
  }

  async signIn(email: string, password: string): Promise<TokenPair> {
    const user = await this.deps.users.findByEmail(normalizeEmail(email));
    // An unknown email is verified too, against a hash no password matches: skipping the work would
    // answer it in a third of the time, which tells who has an account.
    const matches = await argon2.verify(user?.passwordHash ?? (await this.unknownUserHash), password);
    if (!user || !matches) throw BAD_CREDENTIALS();
    return this.tokensFor(user, await this.deps.sessions.issue(user._id));
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    const outcome = await this.deps.sessions.rotate(refreshToken);
    if (outcome.kind === 'reused') {
      throw new AppError(
        401,
        'REFRESH_TOKEN_REUSED',
        'this refresh token was already used; every session of it is revoked, sign in again',
      );
    }
    if (outcome.kind === 'invalid')
      throw new AppError(401, 'INVALID_REFRESH_TOKEN', 'the refresh token is not valid; sign in again');
    const user = await this.deps.users.findById(outcome.userId);
    if (!user)
      throw new AppError(401, 'INVALID_REFRESH_TOKEN', 'the account of this refresh token no longer exists');
    return this.tokensFor(user, outcome.token);
  }

  /** Signs out: ends the refresh token's session. Unknown tokens are ignored (RFC 7009: no oracle). */
  async signOut(refreshToken: string): Promise<void> {
    await this.deps.sessions.revoke(refreshToken);
  }

  async profile(principal: Principal): Promise<PublicUser> {
    const user = await this.deps.users.findById(principal.userId);
    if (!user) throw AppError.notFound('your account');
    return toPublic(user);
  }

  private async tokensFor(user: UserDocument, refreshToken: string): Promise<TokenPair> {
    const accessToken = await this.deps.tokens.sign({ userId: user._id, email: user.email, role: user.role });
    return { accessToken, expiresInS: this.deps.tokens.ttlS, refreshToken };
  }
}
