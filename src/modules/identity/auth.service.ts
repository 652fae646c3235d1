import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import argon2 from 'argon2';
import { generateSecret, generateURI, verify as verifyTotp } from 'otplib';
import type { DataSource, EntityManager } from 'typeorm';
import { Problem } from '../../common/problems/problem.js';
import type { AuthUser, RoleGrant } from '../../common/request-context.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Clock } from '../../platform/clock/clock.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { AuditService } from '../audit/audit.service.js';
import type { TokensDto } from './dto/auth.dto.js';
import { LoginThrottle } from './login-throttle.service.js';
import { ACCESS_TOKEN_TTL_S, REFRESH_TOKEN_TTL_S, TokenService } from './token.service.js';
import { ARGON2_OPTIONS } from './users.service.js';
import { roleCode } from '../audit/audit-entry.js';

/** Roles that can see case data: TOTP is required for them (unless MARAK_MFA_REQUIRED=false). */
export const CASE_ROLES = new Set(['coordinator', 'chair', 'agency_rep', 'referrer']);
export const TOTP_PERIOD_S = 30;

const invalidCredentials = () => new Problem(401, 'invalid-credentials', 'Unauthorized', 'The e-mail address or password is wrong.');
const invalidCode = () => new Problem(401, 'invalid-mfa-code', 'Unauthorized', 'The code is wrong, expired or already used.');

interface LoginRow {
  id: string;
  password_hash: string;
  active: boolean;
  mfa_enabled: boolean;
  mfa_secret_enc: Buffer | null;
  mfa_last_step: string;
  agency_id: string | null;
  roles: RoleGrant[];
}

@Injectable()
export class AuthService {
  /** Verified against when the e-mail is unknown, so timing does not tell who has an account. */
  private readonly dummyHash = argon2.hash('not-a-real-password-for-timing', ARGON2_OPTIONS);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly crypto: FieldCryptoService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  mfaRequiredFor(roles: RoleGrant[]): boolean {
    return this.config.mfaRequired && roles.some((r) => CASE_ROLES.has(r.role));
  }

  async login(emailInput: string, password: string, address: string): Promise<TokensDto> {
    const email = emailInput.trim().toLowerCase();
    await this.throttle.attempt(email, address);
    const row = await this.loadForLogin(`u.email = $1`, email);
    const ok = row ? await argon2.verify(row.password_hash, password) : (await argon2.verify(await this.dummyHash, password), false);
    if (!row || !ok || !row.active) {
      await this.db.transaction((tx) =>
        this.audit.record(tx, { action: 'auth.login', objectType: 'user', objectId: row?.id ?? null, actor: null, details: { result: 'failure', reasonCode: 'invalid-credentials' } }),
      );
      throw invalidCredentials();
    }
    await this.throttle.succeeded(email, address);
    if (row.mfa_enabled) {
      await this.db.transaction((tx) => this.audit.record(tx, { action: 'auth.login', objectType: 'user', objectId: row.id, actor: this.actor(row), details: { result: 'success', method: 'password' } }));
      return { mfaRequired: true, mfaToken: this.tokens.signMfa(row.id) };
    }
    const mustEnrol = this.mfaRequiredFor(row.roles);
    return this.db.transaction(async (tx) => {
      const issued = await this.startSession(tx, row.id, false);
      // The audit row last: its chain lock is held to commit (row locks before it, never after).
      await this.audit.record(tx, { action: 'auth.login', objectType: 'user', objectId: row.id, actor: this.actor(row), details: { result: 'success', method: 'password' } });
      return mustEnrol ? { ...issued, mfaEnrollmentRequired: true } : issued;
    });
  }

  async completeMfa(mfaToken: string, code: string): Promise<TokensDto> {
    const claims = this.tokens.verifyMfa(mfaToken);
    if (!claims) throw new Problem(401, 'invalid-mfa-token', 'Unauthorized', 'The MFA token is invalid or expired; log in again.');
    await this.throttle.mfaAttempt(claims.sub);
    const tokens = await this.mfaTransaction(claims.sub, async (tx) => {
      const row = await this.loadForLogin(`u.id = $1`, claims.sub, tx, true);
      if (!row || !row.active || !row.mfa_enabled || !row.mfa_secret_enc) throw invalidCode();
      await this.acceptCode(tx, row, code);
      const issued = await this.startSession(tx, row.id, true);
      await this.audit.record(tx, { action: 'auth.login', objectType: 'user', objectId: row.id, actor: this.actor(row), details: { result: 'success', method: 'totp' } });
      return issued;
    });
    await this.throttle.mfaSucceeded(claims.sub);
    return tokens;
  }

  /** Runs the second step; a wrong code is recorded in the audit log before it is refused. */
  private async mfaTransaction<T>(userId: string, work: (tx: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction(work);
    } catch (e) {
      if (e instanceof Problem && e.slug === 'invalid-mfa-code') {
        await this.db.transaction((tx) =>
          this.audit.record(tx, { action: 'auth.login', objectType: 'user', objectId: userId, actor: null, details: { result: 'failure', reasonCode: 'invalid-mfa-code', method: 'totp' } }),
        );
      }
      throw e;
    }
  }

  async refresh(presented: string): Promise<TokensDto> {
    const parsed = this.tokens.parseRefreshToken(presented);
    const refused = () => new Problem(401, 'invalid-refresh-token', 'Unauthorized', 'The refresh token is invalid, expired or already used; log in again.');
    if (!parsed) throw refused();
    const outcome = await this.db.transaction(async (tx) => {
      const [row] = await tx.query(
        `SELECT t.id, t.family_id, t.user_id, t.token_hash, t.mfa, t.expires_at, t.revoked_at, u.active
           FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1 FOR UPDATE OF t`,
        [parsed.id],
      );
      if (!row || !this.tokens.matches(parsed.secret, row.token_hash)) return { error: true as const };
      if (row.revoked_at) {
        // A revoked token presented again: it was stolen or replayed. End the whole session family.
        await tx.query(`UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, $2), revoked_reason = 'reuse-detected' WHERE family_id = $1 AND (revoked_at IS NULL OR revoked_reason = 'rotated')`, [row.family_id, this.clock.now()]);
        await this.audit.record(tx, { action: 'auth.refresh', objectType: 'user', objectId: row.user_id, actor: null, details: { result: 'refused', reasonCode: 'refresh-token-reuse', sessionId: row.family_id } });
        return { error: true as const };
      }
      if (!row.active || row.expires_at.getTime() <= this.clock.now().getTime()) return { error: true as const };
      const issued = await this.issue(tx, row.user_id, row.family_id, row.mfa);
      await tx.query(`UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = 'rotated', replaced_by = $3 WHERE id = $1`, [row.id, this.clock.now(), issued.tokenId]);
      return { tokens: issued.tokens };
    });
    if ('error' in outcome) throw refused();
    return outcome.tokens;
  }

  async logout(user: AuthUser): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = 'logout' WHERE family_id = $1 AND revoked_at IS NULL`, [user.sessionId, this.clock.now()]);
      // Mark the family ended even if its last token was already rotated away.
      await tx.query(`UPDATE refresh_tokens SET revoked_reason = 'logout' WHERE id = (SELECT id FROM refresh_tokens WHERE family_id = $1 ORDER BY created_at DESC LIMIT 1)`, [user.sessionId]);
      await this.audit.record(tx, { action: 'auth.logout', objectType: 'user', objectId: user.id, details: { sessionId: user.sessionId } });
    });
  }

  async enrolMfa(user: AuthUser): Promise<{ secret: string; otpauthUrl: string }> {
    const secret = generateSecret();
    await this.db.transaction(async (tx) => {
      const [row] = await tx.query(`SELECT mfa_enabled FROM users WHERE id = $1 FOR UPDATE`, [user.id]);
      if (row.mfa_enabled) throw Problem.conflict('mfa-already-enabled', 'A second factor is already enabled for this account.');
      const enc = this.crypto.encrypt(secret, { table: 'users', column: 'mfa_secret', rowId: user.id });
      await tx.query(`UPDATE users SET mfa_secret_enc = $2, mfa_last_step = 0, version = version + 1, updated_at = now() WHERE id = $1`, [user.id, enc]);
      await this.audit.record(tx, { action: 'user.mfa.enrol', objectType: 'user', objectId: user.id });
    });
    return { secret, otpauthUrl: generateURI({ issuer: 'MARAK', label: user.email, secret, period: TOTP_PERIOD_S }) };
  }

  async verifyMfaEnrolment(user: AuthUser, code: string): Promise<TokensDto> {
    return this.db.transaction(async (tx) => {
      const row = await this.loadForLogin(`u.id = $1`, user.id, tx, true);
      if (!row?.mfa_secret_enc) throw Problem.conflict('mfa-not-enrolled', 'Start enrolment first: POST /api/v1/me/mfa/enroll.');
      if (row.mfa_enabled) throw Problem.conflict('mfa-already-enabled', 'A second factor is already enabled for this account.');
      await this.acceptCode(tx, row, code);
      await tx.query(`UPDATE users SET mfa_enabled = true, version = version + 1, updated_at = now() WHERE id = $1`, [user.id]);
      // The session now has both factors: a fresh pair of tokens says so.
      await tx.query(`UPDATE refresh_tokens SET revoked_at = $2, revoked_reason = 'logout' WHERE family_id = $1 AND revoked_at IS NULL`, [user.sessionId, this.clock.now()]);
      const issued = await this.startSession(tx, user.id, true);
      await this.audit.record(tx, { action: 'user.mfa.enable', objectType: 'user', objectId: user.id });
      return issued;
    });
  }

  /** A TOTP code within ±1 step, and later than the last accepted one: each code works once. */
  private async acceptCode(tx: EntityManager, row: LoginRow, code: string): Promise<void> {
    const secret = this.crypto.decrypt(row.mfa_secret_enc!, { table: 'users', column: 'mfa_secret', rowId: row.id });
    const result = await verifyTotp({
      secret,
      token: code,
      epoch: Math.floor(this.clock.now().getTime() / 1000),
      epochTolerance: TOTP_PERIOD_S,
      afterTimeStep: Number(row.mfa_last_step),
      period: TOTP_PERIOD_S,
    } as never);
    const step = (result as { valid: boolean; timeStep?: number }).timeStep;
    if (!result.valid || step === undefined) throw invalidCode();
    // The row is locked (FOR UPDATE) for this transaction, so a racing request with the same
    // code waits here and then finds the step used.
    await tx.query(`UPDATE users SET mfa_last_step = $2 WHERE id = $1`, [row.id, step]);
  }

  private async startSession(tx: EntityManager, userId: string, mfa: boolean): Promise<TokensDto> {
    const familyId = randomUUID();
    return (await this.issue(tx, userId, familyId, mfa)).tokens;
  }

  private async issue(tx: EntityManager, userId: string, familyId: string, mfa: boolean): Promise<{ tokens: TokensDto; tokenId: string }> {
    const refresh = this.tokens.newRefreshToken();
    const now = this.clock.now();
    await tx.query(
      `INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, mfa, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [refresh.id, familyId, userId, refresh.hash, mfa, now, new Date(now.getTime() + REFRESH_TOKEN_TTL_S * 1000)],
    );
    return {
      tokenId: refresh.id,
      tokens: { accessToken: this.tokens.signAccess(userId, familyId, mfa), refreshToken: refresh.token, expiresIn: ACCESS_TOKEN_TTL_S },
    };
  }

  private async loadForLogin(where: string, value: string, manager: EntityManager | DataSource = this.db, lock = false): Promise<LoginRow | undefined> {
    const rows = await manager.query(
      `SELECT u.id, u.password_hash, u.active, u.mfa_enabled, u.mfa_secret_enc, u.mfa_last_step, u.agency_id,
              coalesce((SELECT json_agg(json_build_object('role', r.role, 'groupId', r.group_id)) FROM user_roles r WHERE r.user_id = u.id), '[]') AS roles
         FROM users u WHERE ${where}${lock ? ' FOR UPDATE OF u' : ''}`,
      [value],
    );
    return rows[0];
  }

  private actor(row: LoginRow) {
    return { id: row.id, agencyId: row.agency_id, roles: row.roles.map((r) => roleCode({ role: r.role, groupId: r.groupId ?? null })) };
  }
}
