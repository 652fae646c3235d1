import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Problem } from '../../common/problems/problem.js';
import { rowsOf } from '../../platform/database/rows.js';
import type { AuthUser } from '../../common/request-context.js';
import { AuditService } from '../audit/audit.service.js';
import type { CreateGroupDto, GroupDto } from './dto/group.dto.js';
import { mergeSettings, type GroupSettings } from './group-settings.js';
import { GroupPolicy } from './group.policy.js';

interface GroupRow {
  id: string;
  name: string;
  area: string;
  settings: Partial<GroupSettings>;
  version: number;
  created_at: Date;
  agency_ids: string[] | null;
}

const SELECT_GROUP = `
  SELECT g.id, g.name, g.area, g.settings, g.version, g.created_at,
         array_remove(array_agg(ga.agency_id ORDER BY ga.joined_at), NULL) AS agency_ids
    FROM groups g LEFT JOIN group_agencies ga ON ga.group_id = g.id`;

function toDto(r: GroupRow): GroupDto {
  return {
    id: r.id,
    name: r.name,
    area: r.area,
    settings: mergeSettings(r.settings, {}),
    agencyIds: r.agency_ids ?? [],
    version: r.version,
    createdAt: r.created_at.toISOString(),
  };
}

/** MARAK groups, their member agencies and settings. Other modules read groups through here. */
@Injectable()
export class GroupsService {
  constructor(@InjectDataSource() private readonly db: DataSource, private readonly audit: AuditService) {}

  async create(dto: CreateGroupDto): Promise<GroupDto> {
    return this.db.transaction(async (tx) => {
      const settings = mergeSettings({}, dto.settings ?? {});
      const [row] = await tx.query(`INSERT INTO groups (name, area, settings) VALUES ($1, $2, $3) RETURNING id`, [dto.name, dto.area, settings]).catch(uniqueName);
      await this.audit.record(tx, { action: 'group.create', objectType: 'group', objectId: row.id, groupId: row.id });
      return (await this.find(row.id, tx))!;
    });
  }

  async find(id: string, manager: EntityManager | DataSource = this.db): Promise<GroupDto | undefined> {
    const rows: GroupRow[] = await manager.query(`${SELECT_GROUP} WHERE g.id = $1 GROUP BY g.id`, [id]);
    return rows[0] && toDto(rows[0]);
  }

  /** A group the user may see, or 404 (existence does not leak). */
  async get(user: AuthUser, id: string): Promise<GroupDto> {
    const group = await this.find(id);
    if (!group || !GroupPolicy.canSee(user, group)) throw Problem.notFound('The group');
    return group;
  }

  async list(user: AuthUser): Promise<GroupDto[]> {
    const rows: GroupRow[] = await this.db.query(`${SELECT_GROUP} GROUP BY g.id ORDER BY g.name`);
    return rows.map(toDto).filter((g) => GroupPolicy.canSee(user, g));
  }

  async settings(groupId: string, manager: EntityManager | DataSource = this.db): Promise<GroupSettings> {
    const [row] = await manager.query(`SELECT settings FROM groups WHERE id = $1`, [groupId]);
    if (!row) throw Problem.notFound('The group');
    return mergeSettings(row.settings, {});
  }

  async updateSettings(user: AuthUser, id: string, change: Partial<GroupSettings>, expectedVersion?: number): Promise<GroupDto> {
    const group = await this.get(user, id);
    if (!GroupPolicy.canConfigure(user, group.id)) throw new Problem(403, 'forbidden', 'Forbidden', 'Only an admin or the group’s coordinator may change its settings.');
    return this.db.transaction(async (tx) => {
      const [current] = await tx.query(`SELECT settings, version FROM groups WHERE id = $1 FOR UPDATE`, [id]);
      if (expectedVersion !== undefined && current.version !== expectedVersion) throw versionConflict();
      const settings = mergeSettings(current.settings, change);
      await tx.query(`UPDATE groups SET settings = $2, version = version + 1, updated_at = now() WHERE id = $1`, [id, settings]);
      await this.audit.record(tx, { action: 'group.settings.update', objectType: 'group', objectId: id, groupId: id, details: { fields: Object.keys(change).filter((k) => (change as Record<string, unknown>)[k] !== undefined) } });
      return (await this.find(id, tx))!;
    });
  }

  async addAgency(id: string, agencyId: string): Promise<GroupDto> {
    return this.db.transaction(async (tx) => {
      const [g] = await tx.query(`SELECT 1 FROM groups WHERE id = $1 FOR UPDATE`, [id]);
      if (!g) throw Problem.notFound('The group');
      const [a] = await tx.query(`SELECT active FROM agencies WHERE id = $1`, [agencyId]);
      if (!a) throw Problem.notFound('The agency');
      const inserted = await tx.query(`INSERT INTO group_agencies (group_id, agency_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1`, [id, agencyId]);
      if (inserted.length) {
        await tx.query(`UPDATE groups SET version = version + 1, updated_at = now() WHERE id = $1`, [id]);
        await this.audit.record(tx, { action: 'group.agency.add', objectType: 'group', objectId: id, groupId: id, details: { agencyId } });
      }
      return (await this.find(id, tx))!;
    });
  }

  async removeAgency(id: string, agencyId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [g] = await tx.query(`SELECT 1 FROM groups WHERE id = $1 FOR UPDATE`, [id]);
      if (!g) throw Problem.notFound('The group');
      const removed = rowsOf(await tx.query(`DELETE FROM group_agencies WHERE group_id = $1 AND agency_id = $2 RETURNING 1`, [id, agencyId]));
      if (!removed.length) throw Problem.notFound('The membership');
      // The agency's people lose their roles in this group with the membership.
      await tx.query(`DELETE FROM user_roles ur USING users u WHERE ur.user_id = u.id AND u.agency_id = $2 AND ur.group_id = $1`, [id, agencyId]);
      await tx.query(`UPDATE groups SET version = version + 1, updated_at = now() WHERE id = $1`, [id]);
      await this.audit.record(tx, { action: 'group.agency.remove', objectType: 'group', objectId: id, groupId: id, details: { agencyId } });
    });
  }

  /**
   * The group's settings when `agencyId` is one of its member agencies, in one query; undefined
   * when it is not (or the group does not exist): `isMember` and `settings` together.
   */
  async memberSettings(groupId: string, agencyId: string, manager: EntityManager | DataSource = this.db): Promise<GroupSettings | undefined> {
    const [row] = await manager.query(
      `SELECT g.settings FROM groups g JOIN group_agencies ga ON ga.group_id = g.id WHERE g.id = $1 AND ga.agency_id = $2`,
      [groupId, agencyId],
    );
    return row ? mergeSettings(row.settings, {}) : undefined;
  }

  async isMember(groupId: string, agencyId: string, manager: EntityManager | DataSource = this.db): Promise<boolean> {
    const rows = await manager.query(`SELECT 1 FROM group_agencies WHERE group_id = $1 AND agency_id = $2`, [groupId, agencyId]);
    return rows.length > 0;
  }

  async exists(groupId: string, manager: EntityManager | DataSource = this.db): Promise<boolean> {
    return (await manager.query(`SELECT 1 FROM groups WHERE id = $1`, [groupId])).length > 0;
  }
}

export function versionConflict(): Problem {
  return Problem.conflict('version-conflict', 'The resource was changed by someone else; reload and try again.');
}

function uniqueName(e: { driverError?: { code?: string }; code?: string }): never {
  if ((e.driverError?.code ?? e.code) === '23505') throw Problem.conflict('name-taken', 'A group with this name already exists.');
  throw e;
}
