import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { parseBlindIndexKey } from '../../../libs/field-crypto/index.js';
import { requestContext } from '../../common/request-context.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Clock } from '../../platform/clock/clock.js';
import { AUDIT_CHAINS, auditHash, genesisHash, type AuditChainRow } from './audit-chain.js';
import { normaliseAuditEntry, type AuditContent, type AuditEntry } from './audit-entry.js';
import { appendHead, headsFilePath, readRecentHeads, type RecordedHead } from './audit-heads-file.js';
import { AUDIT_COLUMNS, AuditChainVerifier, fromDbRow, type AuditVerifyResult } from './audit-verifier.js';
import { LOCK_KEYS } from '../../platform/database/lock-keys.js';
import { WITH_COMMIT } from '../../platform/database/preparing-client.js';

/** Chain i's advisory lock is this + i: it serialises that chain's appends, so no chain forks. */
export const AUDIT_CHAINS_LOCK_BASE = LOCK_KEYS.auditChains;

/** Claims a chain for this transaction ($1 chains, $2 their first lock key): its next seq and its head (migration 1764000006000). */
export const AUDIT_CLAIM_SQL = `SELECT claimed_chain, claimed_seq::text AS seq, head_hash FROM audit_chain_claim($1, $2)`;

export interface AuditChainHead {
  claimed_chain: number;
  seq: string;
  head_hash: Buffer | null;
}

/** The INSERT of an audit row after `head` (AUDIT_CLAIM_SQL), hashed into its chain, and what `record` returns. */
export function auditInsert(key: Buffer, content: AuditContent, head: AuditChainHead, occurredAt: Date): { text: string; values: unknown[]; record: AuditRecord } {
  const chain = head.claimed_chain;
  const prevHash: Buffer = head.head_hash ?? genesisHash(chain);
  const row: AuditChainRow = { ...content, seq: head.seq, id: randomUUID(), occurredAt };
  const hash = auditHash(key, row, prevHash);
  return {
    text: `${WITH_COMMIT}INSERT INTO audit_log (seq, chain, id, occurred_at, actor_id, actor_agency_id, actor_roles, action, object_type, object_id,
                              subject_ids, purpose, request_id, group_id, details, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9, $10, $11::uuid[], $12, $13, $14, $15::jsonb, $16, $17)`,
    values: [
      row.seq,
      chain,
      row.id,
      row.occurredAt,
      row.actorId,
      row.actorAgencyId,
      row.actorRoles,
      row.action,
      row.objectType,
      row.objectId,
      row.subjectIds,
      row.purpose,
      row.requestId,
      row.groupId,
      JSON.stringify(row.details),
      prevHash,
      hash,
    ],
    record: { id: row.id, seq: row.seq, hash },
  };
}

export interface AuditRecord {
  id: string;
  seq: string;
  hash: Buffer;
}

export interface AuditSearch {
  objectType?: string;
  objectId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  /** seq of the last item of the previous page */
  cursor?: string;
}

/** A row as the API shows it: the chained content with its position, time and hash. */
export interface AuditItem extends AuditContent {
  id: string;
  seq: string;
  chain: number;
  occurredAt: string;
  hash: string;
}

export interface AccessLogItem {
  id: string;
  occurredAt: string;
  actorId: string | null;
  actorAgencyId: string | null;
  /** The user's and the agency's names as they are now (staff, not the data subject); null for the system. */
  actorName: string | null;
  actorAgencyName: string | null;
  actorRoles: string[];
  action: string;
  objectType: string;
  objectId: string | null;
  purpose: string | null;
  requestId: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Thrown when `record` is given a manager outside a transaction: the lock would not hold. */
export class AuditTransactionError extends Error {
  override name = 'AuditTransactionError';
}

/**
 * The audit log. `record` appends within the caller's transaction (fail closed: when it throws,
 * the caller's change rolls back with it); `recordRead` does the same for reads, opening a
 * transaction when the caller has none. Rows hold ids and codes, never personal data.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);
  private readonly key: Buffer;
  readonly headsPath: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.key = parseBlindIndexKey(config.auditKey);
    this.headsPath = headsFilePath(config.dataDir);
  }

  /**
   * Appends one row inside the caller's transaction. Its chain's advisory lock is held until that
   * transaction ends, so call this as the last statement of the transaction: everything after
   * it is serialised with every other transaction on that chain.
   */
  async record(manager: EntityManager, entry: AuditEntry): Promise<AuditRecord> {
    const content = normaliseAuditEntry(entry, requestContext.get());
    if (!manager.queryRunner?.isTransactionActive) {
      throw new AuditTransactionError('AuditService.record needs the entity manager of an open transaction');
    }
    // The chain (the first whose lock is free, or the one this transaction holds), the next seq
    // and the chain's head, in one round trip (migration 1764000006000). The chain's lock is held
    // until this transaction ends; other transactions take other chains meanwhile.
    const [head] = (await manager.query(AUDIT_CLAIM_SQL, [AUDIT_CHAINS, AUDIT_CHAINS_LOCK_BASE])) as AuditChainHead[];
    const row = auditInsert(this.key, content, head!, new Date(this.clock.now().getTime()));
    // Sent with the transaction's COMMIT, in one exchange (WITH_COMMIT): this row is always the
    // transaction's last statement, and the chain's lock is then released one round trip sooner.
    await manager.query(row.text, row.values);
    return row.record;
  }

  /** Records a read: within the caller's transaction when given one, else in a transaction of its own. */
  async recordRead(entry: AuditEntry, manager?: EntityManager): Promise<AuditRecord> {
    if (manager?.queryRunner?.isTransactionActive) return this.record(manager, entry);
    return this.db.transaction((tx) => this.record(tx, entry));
  }

  /** `GET /audit`: newest first; the search itself is recorded. */
  async search(filter: AuditSearch): Promise<Page<AuditItem>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.objectType !== undefined) add('object_type = ?', filter.objectType);
    if (filter.objectId !== undefined) add('object_id = ?', filter.objectId);
    if (filter.actorId !== undefined) add('actor_id = ?', filter.actorId);
    if (filter.from !== undefined) add('occurred_at >= ?', filter.from);
    if (filter.to !== undefined) add('occurred_at < ?', filter.to);
    if (filter.cursor !== undefined) add('seq < ?', filter.cursor);
    params.push(filter.limit + 1);
    const sql = `SELECT ${AUDIT_COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY seq DESC LIMIT $${params.length}`;
    return this.db.transaction(async (tx) => {
      const rows: Record<string, unknown>[] = await tx.query(sql, params);
      const page = toPage(rows, filter.limit);
      await this.record(tx, { action: 'audit.search', objectType: 'audit_log', details: { count: page.items.length } });
      return { items: page.items.map(toItem), nextCursor: page.nextCursor };
    });
  }

  /**
   * `GET /people/:id/access-log`, a data subject's request: every row naming the person, with
   * who (user and agency, by id and by name: the answer must be readable by the person asking),
   * in which role, did what, when and why. One query per page; the request is recorded last
   * (after the scan), so the next report includes it.
   */
  async accessLog(personId: string, page: { limit: number; cursor?: string }): Promise<Page<AccessLogItem>> {
    return this.db.transaction(async (tx) => {
      const rows: Record<string, unknown>[] = await tx.query(
        `SELECT l.seq, l.id, l.occurred_at, l.actor_id, l.actor_agency_id, u.name AS actor_name, a.name AS actor_agency_name,
                l.actor_roles, l.action, l.object_type, l.object_id, l.purpose, l.request_id
           FROM audit_log l
           LEFT JOIN users u ON u.id = l.actor_id
           LEFT JOIN agencies a ON a.id = l.actor_agency_id
          WHERE l.subject_ids @> ARRAY[$1::uuid] AND ($2::bigint IS NULL OR l.seq < $2::bigint)
          ORDER BY l.seq DESC LIMIT $3`,
        [personId, page.cursor ?? null, page.limit + 1],
      );
      // Recorded last: the audit chain's lock is held to commit, so no slow read runs under it.
      await this.record(tx, { action: 'person.access-log-read', objectType: 'person', objectId: personId, subjectIds: [personId] });
      const p = toPage(rows, page.limit);
      return {
        items: p.items.map((r) => ({
          id: String(r.id),
          occurredAt: (r.occurred_at as Date).toISOString(),
          actorId: (r.actor_id as string | null) ?? null,
          actorAgencyId: (r.actor_agency_id as string | null) ?? null,
          actorName: (r.actor_name as string | null) ?? null,
          actorAgencyName: (r.actor_agency_name as string | null) ?? null,
          actorRoles: (r.actor_roles as string[]) ?? [],
          action: String(r.action),
          objectType: String(r.object_type),
          objectId: (r.object_id as string | null) ?? null,
          purpose: (r.purpose as string | null) ?? null,
          requestId: (r.request_id as string | null) ?? null,
        })),
        nextCursor: p.nextCursor,
      };
    });
  }

  /** Walks the whole chain and compares the heads recorded outside the database. */
  async verify(): Promise<AuditVerifyResult> {
    return new AuditChainVerifier((sql, params) => this.db.query(sql, params), this.key, this.headsPath).verify();
  }

  /** `GET /audit/verify`: verifies, then records who asked and what they were told. */
  async verifyOnRequest(): Promise<AuditVerifyResult> {
    const result = await this.verify();
    await this.db.transaction((tx) =>
      this.record(tx, { action: 'audit.verify', objectType: 'audit_log', details: { valid: result.valid, checked: result.checked } }),
    );
    return result;
  }

  /**
   * Writes the chains' heads outside the database: a log line always, and a line in
   * `<dataDir>/audit/heads.jsonl` for each chain whose head is not among the last lines there
   * (the newest head last). Returns the newest head of all.
   */
  async exportHead(): Promise<RecordedHead | undefined> {
    const rows: Array<{ seq: string; id: string; hash: Buffer }> = await this.db.query(
      `SELECT h.seq::text AS seq, h.id, h.hash
         FROM generate_series(0, $1::int - 1) AS c(chain)
         CROSS JOIN LATERAL (SELECT l.seq, l.id, l.hash FROM audit_log l WHERE l.chain = c.chain ORDER BY l.seq DESC LIMIT 1) h
        ORDER BY h.seq`,
      [AUDIT_CHAINS],
    );
    if (!rows.length) {
      this.logger.log({ seq: null }, 'audit head');
      return undefined;
    }
    const at = this.clock.now().toISOString();
    const heads: RecordedHead[] = rows.map((r) => ({ seq: r.seq, id: r.id, hash: r.hash.toString('hex'), at }));
    const recent = await readRecentHeads(this.headsPath);
    let written = 0;
    for (const head of heads) {
      const seen = recent.get(head.seq);
      if (seen?.hash === head.hash && seen.id === head.id) continue;
      await appendHead(this.headsPath, head);
      written++;
    }
    const newest = heads.at(-1)!;
    this.logger.log({ seq: newest.seq, id: newest.id, hash: newest.hash, chains: heads.length, written }, 'audit head');
    return newest;
  }
}

function toPage(rows: Record<string, unknown>[], limit: number): { items: Record<string, unknown>[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? String(items[items.length - 1]!.seq) : null };
}

function toItem(raw: Record<string, unknown>): AuditItem {
  const { prevHash: _prevHash, hash, occurredAt, ...rest } = fromDbRow(raw);
  return { ...rest, occurredAt: occurredAt.toISOString(), hash: hash.toString('hex') };
}
