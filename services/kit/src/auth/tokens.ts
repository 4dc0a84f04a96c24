import { errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../errors.ts';

export type Role = 'customer' | 'admin';

export interface Principal {
  userId: string;
  email: string;
  role: Role;
}

/**
 * Access tokens: short-lived HS256 JWTs. The gateway verifies them at the edge and every service
 * verifies them again (and enforces roles), so a request that bypasses the gateway gains nothing.
 */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlS = 900,
    private readonly issuer = 'stackdrill',
  ) {
    if (secret.length < 32) throw new Error('the JWT secret must be at least 32 characters');
    this.key = new TextEncoder().encode(secret);
  }

  sign(principal: Principal): Promise<string> {
    return new SignJWT({ email: principal.email, role: principal.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(principal.userId)
      .setIssuer(this.issuer)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlS}s`)
      .sign(this.key);
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: this.issuer, algorithms: ['HS256'] });
      const role = payload.role;
      if (
        typeof payload.sub !== 'string' ||
        typeof payload.email !== 'string' ||
        (role !== 'customer' && role !== 'admin')
      ) {
        throw AppError.unauthorized('the access token is missing required claims');
      }
      return { userId: payload.sub, email: payload.email, role };
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof errors.JWTExpired)
        throw AppError.unauthorized('the access token has expired; refresh it');
      throw AppError.unauthorized('the access token is not valid');
    }
  }

  /** The principal of a request's `Authorization: Bearer …` header. */
  async fromHeader(header: string | undefined): Promise<Principal> {
    const match = header && /^Bearer (\S+)$/.exec(header);
    if (!match) throw AppError.unauthorized();
    return this.verify(match[1]!);
  }
}
