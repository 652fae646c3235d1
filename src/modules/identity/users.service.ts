import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import argon2 from 'argon2';
import type { DataSource, EntityManager } from 'typeorm';
import { Problem } from '../../common/problems/problem.js';
import type { AuthUser, RoleName } from '../../common/request-context.js';
import { AuditService } from '../audit/audit.service.js';
import type { CreateUserDto, RoleGrantDto, UpdateUserDto, UserDto } from './dto/user.dto.js';
import { PASSWORD_REFUSAL_TEXT, checkPassword } from './password-policy.js';
import { roleCode } from '../audit/audit-entry.js';

/** OWASP's argon2id parameters (19 MiB, 2 iterations, 1 lane). */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Roles that work on cases and so belong to a member agency of the group. */
const AGENCY_ROLES = new Set(['coordinator', 'chair', 'agency_rep', 'referrer']);

const SELECT_USER = `
  SELECT u.id, u.email, u.name, u.agency_id AS "agencyId", u.active, u.mfa_enabled AS "mfaEnabled", u.version,
         coalesce(json_agg(json_build_object('role', r.role, 'groupId', r.group_id) ORDER BY r.role, r.group_id)
                  FILTER (WHERE r.role IS NOT NULL), '[]') AS roles
    FROM users u LEFT JOIN user_roles r ON r.user_id = u.id`;

export interface Principal extends AuthUser {
  active: boolean;
  mfaEnabled: boolean;
  sessionEnded: boolean;
}

/** The caller behind a verified access token ($1 user id, $2 session id): re-read on every request (AuthGuard). */
export const PRINCIPAL_SQL = `SELECT u.id, u.email, u.agency_id AS "agencyId", u.active, u.mfa_enabled AS "mfaEnabled",
   coalesce((SELECT json_agg(json_build_object('role', r.role, 'groupId', r.group_id)) FROM user_roles r WHERE r.user_id = u.id), '[]') AS roles,
   EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = $2 AND t.user_id = u.id
             AND t.revoked_reason IN ('reuse-detected', 'logout', 'deactivated')) AS "sessionEnded"
   FROM users u WHERE u.id = $1`;

/** A row of PRINCIPAL_SQL with the session it was read for. */
export function principalOf(r: Omit<Principal, 'sessionId'>, sessionId: string): Principal {
  return { id: r.id, email: r.email, agencyId: r.agencyId, roles: r.roles, sessionId, active: r.active, mfaEnabled: r.mfaEnabled, sessionEnded: r.sessionEnded };
}

@Injectable()
export class UsersService {
  constructor(@InjectDataSource() private readonly db: DataSource, private readonly audit: AuditService) {}

  static hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  assertPasswordAcceptable(password: string, context: string[]): void {
    const refusal = checkPassword(password, context);
    if (refusal) {
      throw Problem.unprocessable('weak-password', 'Password refused', PASSWORD_REFUSAL_TEXT[refusal], {
        errors: [{ field: 'password', message: PASSWORD_REFUSAL_TEXT[refusal] }],
      });
    }
  }

  async create(dto: CreateUserDto, manager?: EntityManager): Promise<UserDto> {
    const email = dto.email.trim().toLowerCase();
    this.assertPasswordAcceptable(dto.password, [email.split('@')[0], ...dto.name.split(/\s+/)]);
    const hash = await UsersService.hash(dto.password);
    const work = async (tx: EntityManager) => {
      await this.validateGrants(tx, dto.agencyId ?? null, dto.roles);
      const [row] = await tx
        .query(`INSERT INTO users (email, name, agency_id, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`, [email, dto.name, dto.agencyId ?? null, hash])
        .catch((e: { driverError?: { code?: string } }) => {
          if (e.driverError?.code === '23505') throw Problem.conflict('email-taken', 'A user with this e-mail address already exists.');
          throw e;
        });
      await this.writeGrants(tx, row.id, dto.roles);
      await this.audit.record(tx, { action: 'user.create', objectType: 'user', objectId: row.id, details: { roles: dto.roles.map(grantCode), agencyId: dto.agencyId ?? null } });
      return (await this.find(row.id, tx))!;
    };
    return manager ? work(manager) : this.db.transaction(work);
  }

  list(): Promise<UserDto[]> {
    return this.db.query(`${SELECT_USER} GROUP BY u.id ORDER BY u.email`);
  }

  async find(id: string, manager: EntityManager | DataSource = this.db): Promise<UserDto | undefined> {
    return (await manager.query(`${SELECT_USER} WHERE u.id = $1 GROUP BY u.id`, [id]))[0];
  }

  /** The users with these ids (unknown ids are left out), in no particular order. */
  async findMany(ids: readonly string[], manager: EntityManager | DataSource = this.db): Promise<UserDto[]> {
    if (ids.length === 0) return [];
    return manager.query(`${SELECT_USER} WHERE u.id = ANY($1::uuid[]) GROUP BY u.id`, [ids]);
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.find(id);
    if (!user) throw Problem.notFound('The user');
    return user;
  }

  async update(id: string, dto: UpdateUserDto, expectedVersion?: number): Promise<UserDto> {
    return this.db.transaction(async (tx) => {
      const [current] = await tx.query(`SELECT agency_id, version, active FROM users WHERE id = $1 FOR UPDATE`, [id]);
      if (!current) throw Problem.notFound('The user');
      if (expectedVersion !== undefined && expectedVersion !== current.version) throw Problem.conflict('version-conflict', 'The user was changed by someone else; reload and try again.');
      if (dto.roles) {
        await this.validateGrants(tx, current.agency_id, dto.roles);
        await tx.query(`DELETE FROM user_roles WHERE user_id = $1`, [id]);
        await this.writeGrants(tx, id, dto.roles);
      }
      await tx.query(`UPDATE users SET name = coalesce($2, name), active = coalesce($3, active), version = version + 1, updated_at = now() WHERE id = $1`, [id, dto.name ?? null, dto.active ?? null]);
      if (dto.active === false && current.active) {
        // Deactivation ends every session at once (the guard also checks `active` on every request).
        await tx.query(`UPDATE refresh_tokens SET revoked_at = now(), revoked_reason = 'deactivated' WHERE user_id = $1 AND revoked_at IS NULL`, [id]);
      }
      const fields = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
      await this.audit.record(tx, { action: dto.active === false ? 'user.deactivate' : 'user.update', objectType: 'user', objectId: id, details: { fields, ...(dto.roles ? { roles: dto.roles.map(grantCode) } : {}) } });
      return (await this.find(id, tx))!;
    });
  }

  /** The user behind an access token, with the state of their session, in one query. */
  async principal(userId: string, sessionId: string): Promise<Principal | undefined> {
    const [row] = await this.db.query(PRINCIPAL_SQL, [userId, sessionId]);
    return row ? principalOf(row, sessionId) : undefined;
  }

  private async validateGrants(tx: EntityManager, agencyId: string | null, grants: RoleGrantDto[]): Promise<void> {
    const errors: { field: string; message: string }[] = [];
    if (agencyId) {
      const [agency] = await tx.query(`SELECT active FROM agencies WHERE id = $1`, [agencyId]);
      if (!agency) errors.push({ field: 'agencyId', message: 'agency does not exist' });
    }
    const seen = new Set<string>();
    for (const [i, g] of grants.entries()) {
      const field = `roles.${i}`;
      if (seen.has(grantCode(g))) errors.push({ field, message: 'role given twice' });
      seen.add(grantCode(g));
      if (g.role === 'admin') {
        if (g.groupId) errors.push({ field: `${field}.groupId`, message: 'admin is deployment-wide and takes no groupId' });
        continue;
      }
      if (!g.groupId) {
        errors.push({ field: `${field}.groupId`, message: `${g.role} is held in a group: groupId is required` });
        continue;
      }
      const [group] = await tx.query(`SELECT 1 FROM groups WHERE id = $1`, [g.groupId]);
      if (!group) {
        errors.push({ field: `${field}.groupId`, message: 'group does not exist' });
        continue;
      }
      if (AGENCY_ROLES.has(g.role)) {
        if (!agencyId) errors.push({ field: 'agencyId', message: `${g.role} needs the user's agency` });
        else if (!(await tx.query(`SELECT 1 FROM group_agencies WHERE group_id = $1 AND agency_id = $2`, [g.groupId, agencyId])).length) {
          errors.push({ field: `${field}.groupId`, message: "the user's agency is not a member of this group" });
        }
      }
    }
    if (errors.length) throw Problem.unprocessable('invalid-role-grant', 'Role grant refused', 'A role cannot be granted as asked.', { errors });
  }

  private async writeGrants(tx: EntityManager, userId: string, grants: RoleGrantDto[]): Promise<void> {
    for (const g of grants) {
      await tx.query(`INSERT INTO user_roles (user_id, role, group_id) VALUES ($1, $2, $3)`, [userId, g.role, g.role === 'admin' ? null : g.groupId]);
    }
  }

  async count(manager: EntityManager | DataSource = this.db): Promise<number> {
    return Number((await manager.query(`SELECT count(*) AS n FROM users`))[0].n);
  }

  /** Users holding a role in a group (for notices to coordinators and chairs). */
  async withRole(groupId: string, role: RoleName, manager: EntityManager | DataSource = this.db): Promise<{ id: string; email: string }[]> {
    return manager.query(
      `SELECT u.id, u.email FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.group_id = $1 AND r.role = $2 AND u.active ORDER BY u.email`,
      [groupId, role],
    );
  }
}

function grantCode(g: { role: string; groupId?: string | null }): string {
  return roleCode({ role: g.role, groupId: g.groupId ?? null });
}
