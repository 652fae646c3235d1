import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Problem } from '../../common/problems/problem.js';
import { rowsOf } from '../../platform/database/rows.js';
import { AuditService } from '../audit/audit.service.js';
import type { AgencyDto, CreateAgencyDto, UpdateAgencyDto } from './dto/agency.dto.js';

const COLUMNS = `id, name, kind, email, municipality, active, version`;

/** An active agency's functional mailbox, for notices. */
export interface AgencyMailbox {
  id: string;
  name: string;
  email: string;
}

function uniqueName(e: { driverError?: { code?: string } }): never {
  if (e.driverError?.code === '23505') throw Problem.conflict('name-taken', 'An agency with this name already exists.');
  throw e;
}

@Injectable()
export class AgenciesService {
  constructor(@InjectDataSource() private readonly db: DataSource, private readonly audit: AuditService) {}

  async create(dto: CreateAgencyDto): Promise<AgencyDto> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .query(`INSERT INTO agencies (name, kind, email, municipality) VALUES ($1, $2, lower($3), $4) RETURNING ${COLUMNS}`, [dto.name, dto.kind, dto.email, dto.municipality ?? null])
        .catch(uniqueName);
      await this.audit.record(tx, { action: 'agency.create', objectType: 'agency', objectId: row.id });
      return row;
    });
  }

  list(): Promise<AgencyDto[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM agencies ORDER BY name`);
  }

  async find(id: string, manager: EntityManager | DataSource = this.db): Promise<AgencyDto | undefined> {
    return (await manager.query(`SELECT ${COLUMNS} FROM agencies WHERE id = $1`, [id]))[0];
  }

  /**
   * The active agencies among `ids` that have a mailbox, by name (one query for a notice to many
   * agencies, e.g. a group's members). Unknown ids are left out.
   */
  async activeMailboxes(ids: readonly string[], manager: EntityManager | DataSource = this.db): Promise<AgencyMailbox[]> {
    if (ids.length === 0) return [];
    return manager.query(`SELECT id, name, email FROM agencies WHERE id = ANY($1::uuid[]) AND active AND email <> '' ORDER BY name, id`, [ids]);
  }

  async update(id: string, dto: UpdateAgencyDto, expectedVersion?: number): Promise<AgencyDto> {
    return this.db.transaction(async (tx) => {
      const [current] = await tx.query(`SELECT version FROM agencies WHERE id = $1 FOR UPDATE`, [id]);
      if (!current) throw Problem.notFound('The agency');
      if (expectedVersion !== undefined && expectedVersion !== current.version) throw Problem.conflict('version-conflict', 'The agency was changed by someone else; reload and try again.');
      const [row] = rowsOf<AgencyDto>(await tx
        .query(
          `UPDATE agencies SET name = coalesce($2, name), kind = coalesce($3, kind), email = coalesce(lower($4), email),
                  municipality = CASE WHEN $5::boolean THEN $6 ELSE municipality END, active = coalesce($7, active),
                  version = version + 1, updated_at = now()
            WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, dto.name ?? null, dto.kind ?? null, dto.email ?? null, dto.municipality !== undefined, dto.municipality ?? null, dto.active ?? null],
        )
        .catch(uniqueName));
      const fields = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
      await this.audit.record(tx, { action: 'agency.update', objectType: 'agency', objectId: id, details: { fields } });
      return row;
    });
  }
}
