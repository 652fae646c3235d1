import { createHash, createSecretKey, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Clock } from '../../platform/clock/clock.js';

export const ACCESS_TOKEN_TTL_S = 15 * 60;
export const MFA_TOKEN_TTL_S = 5 * 60;
export const REFRESH_TOKEN_TTL_S = 12 * 60 * 60;

export interface AccessClaims {
  sub: string;
  sid: string;
  mfa: boolean;
  typ: 'access';
}

interface MfaClaims {
  sub: string;
  typ: 'mfa';
}

/**
 * Signs and verifies tokens. Access and MFA tokens are HS256 JWTs with the algorithm pinned
 * (no `none`, no key confusion) and times taken from the injectable clock; refresh tokens are
 * opaque (`<id>.<secret>`) and only their SHA-256 is stored.
 */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;

  constructor(@Inject(APP_CONFIG) config: AppConfig, private readonly clock: Clock) {
    // A KeyObject made once: given the secret as a string, jsonwebtoken first tries to parse it as
    // a public key on every verify, and throws and catches (5 % of a case read's CPU; bench/RESULTS.md).
    const secret = createSecretKey(Buffer.from(config.jwtSecret)) as unknown as string;
    this.jwt = new JwtService({ secret, signOptions: { algorithm: 'HS256' }, verifyOptions: { algorithms: ['HS256'] } });
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  signAccess(userId: string, sessionId: string, mfa: boolean): string {
    const iat = this.nowSeconds();
    return this.jwt.sign({ sub: userId, sid: sessionId, mfa, typ: 'access', iat, exp: iat + ACCESS_TOKEN_TTL_S });
  }

  signMfa(userId: string): string {
    const iat = this.nowSeconds();
    return this.jwt.sign({ sub: userId, typ: 'mfa', iat, exp: iat + MFA_TOKEN_TTL_S, jti: randomUUID() });
  }

  /** Claims of a valid access token, or undefined for anything forged, expired or of another kind. */
  verifyAccess(token: string): AccessClaims | undefined {
    const claims = this.verify<AccessClaims>(token);
    return claims?.typ === 'access' && typeof claims.sub === 'string' && typeof claims.sid === 'string' ? claims : undefined;
  }

  verifyMfa(token: string): MfaClaims | undefined {
    const claims = this.verify<MfaClaims>(token);
    return claims?.typ === 'mfa' && typeof claims.sub === 'string' ? claims : undefined;
  }

  private verify<T extends object>(token: string): T | undefined {
    try {
      return this.jwt.verify<T>(token, { algorithms: ['HS256'], clockTimestamp: this.nowSeconds() });
    } catch {
      return undefined;
    }
  }

  newRefreshToken(): { id: string; token: string; hash: Buffer } {
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    return { id, token: `${id}.${secret}`, hash: sha256(secret) };
  }

  /** Splits a presented refresh token; undefined when malformed. */
  parseRefreshToken(token: string): { id: string; secret: string } | undefined {
    const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    return m ? { id: m[1], secret: m[2] } : undefined;
  }

  matches(secret: string, hash: Buffer): boolean {
    const candidate = sha256(secret);
    return candidate.length === hash.length && timingSafeEqual(candidate, hash);
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
