/**
 * Walks the audit log in seq order, following each chain's links, in batches (never the whole table in memory), recomputing
 * every hash; then checks that every head recorded outside the database is still in it.
 * Plain TypeScript over a query function, so the CLI runs it without Nest.
 */
import { AUDIT_HASH_BYTES, auditHash, genesisHash, type AuditChainRow } from './audit-chain.js';
import type { AuditDetailValue } from './audit-entry.js';
import { readRecordedHeads, type RecordedHead } from './audit-heads-file.js';

export type Query = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export type AuditBreak =
  /** the row's content or hash was changed (or it was written without the key) */
  | 'hash-mismatch'
  /** the row does not follow the row before it: a row was deleted, inserted or moved */
  | 'link-broken'
  /** a head recorded outside the database is no longer in the chain: the tail was cut */
  | 'recorded-head-missing'
  /** a head recorded outside the database has another hash now: history was rewritten */
  | 'recorded-head-mismatch'
  /** the file of recorded heads cannot be read or has a malformed line */
  | 'heads-file-invalid';

export interface AuditVerifyResult {
  valid: boolean;
  /** rows whose hash and link were checked */
  checked: number;
  firstBrokenId?: string;
  firstBrokenSeq?: string;
  reason?: AuditBreak;
  /** the last row walked: seq and hash (hex) */
  headSeq?: string;
  headHash?: string;
  /** heads recorded outside the database that were compared */
  recordedHeads: number;
}

/** The columns of a row, as the chain and the API read them. */
export const AUDIT_COLUMNS = `seq, chain, id, occurred_at, actor_id, actor_agency_id, actor_roles, action, object_type, object_id,
  subject_ids, purpose, request_id, group_id, details, prev_hash, hash`;

export interface AuditDbRow extends AuditChainRow {
  /** the chain the row is on (migration 1764000006000) */
  chain: number;
  prevHash: Buffer;
  hash: Buffer;
}

/** Maps a row from `SELECT ${AUDIT_COLUMNS}`. */
export function fromDbRow(r: Record<string, unknown>): AuditDbRow {
  return {
    seq: String(r.seq),
    chain: Number(r.chain ?? 0),
    id: String(r.id),
    occurredAt: r.occurred_at as Date,
    actorId: (r.actor_id as string | null) ?? null,
    actorAgencyId: (r.actor_agency_id as string | null) ?? null,
    actorRoles: (r.actor_roles as string[]) ?? [],
    action: String(r.action),
    objectType: String(r.object_type),
    objectId: (r.object_id as string | null) ?? null,
    subjectIds: (r.subject_ids as string[]) ?? [],
    purpose: (r.purpose as string | null) ?? null,
    requestId: (r.request_id as string | null) ?? null,
    groupId: (r.group_id as string | null) ?? null,
    details: (r.details as Record<string, AuditDetailValue>) ?? {},
    prevHash: r.prev_hash as Buffer,
    hash: r.hash as Buffer,
  };
}

export class AuditChainVerifier {
  constructor(
    private readonly query: Query,
    private readonly key: Buffer,
    /** `<dataDir>/audit/heads.jsonl`; undefined to check the links only */
    private readonly headsPath?: string,
    private readonly batchSize = 1000,
  ) {}

  async verify(): Promise<AuditVerifyResult> {
    let recorded: Map<string, RecordedHead>;
    try {
      recorded = this.headsPath ? await readRecordedHeads(this.headsPath) : new Map();
    } catch {
      return { valid: false, checked: 0, reason: 'heads-file-invalid', recordedHeads: 0 };
    }
    const recordedHeads = recorded.size;
    // Each chain's last hash so far; seq order is each chain's order, and chains interleave.
    const prevByChain = new Map<number, Buffer>();
    let cursor = '0';
    let checked = 0;
    let head: { seq: string; hash: string } | undefined;
    const broken = (row: { id: string; seq: string }, reason: AuditBreak): AuditVerifyResult => ({
      valid: false,
      checked,
      firstBrokenId: row.id,
      firstBrokenSeq: row.seq,
      reason,
      ...(head ? { headSeq: head.seq, headHash: head.hash } : {}),
      recordedHeads,
    });

    for (;;) {
      const rows = await this.query(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [cursor, this.batchSize]);
      for (const raw of rows) {
        const row = fromDbRow(raw);
        checked++;
        if (!Number.isInteger(row.chain) || row.chain < 0 || row.chain > 0xffff) return broken(row, 'link-broken');
        const prev = prevByChain.get(row.chain) ?? genesisHash(row.chain);
        if (!Buffer.isBuffer(row.prevHash) || !row.prevHash.equals(prev)) return broken(row, 'link-broken');
        if (!Buffer.isBuffer(row.hash) || row.hash.length !== AUDIT_HASH_BYTES || !auditHash(this.key, row, row.prevHash).equals(row.hash)) {
          return broken(row, 'hash-mismatch');
        }
        const hex = row.hash.toString('hex');
        const expected = recorded.get(row.seq);
        if (expected) {
          if (expected.hash !== hex || expected.id !== row.id) return broken(row, 'recorded-head-mismatch');
          recorded.delete(row.seq);
        }
        prevByChain.set(row.chain, row.hash);
        head = { seq: row.seq, hash: hex };
        cursor = row.seq;
      }
      if (rows.length < this.batchSize) break;
    }

    // Whatever recorded head was not met on the walk is gone: the earliest one names the cut.
    if (recorded.size) {
      const missing = [...recorded.values()].sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1))[0]!;
      return broken({ id: missing.id, seq: missing.seq }, 'recorded-head-missing');
    }
    return { valid: true, checked, ...(head ? { headSeq: head.seq, headHash: head.hash } : {}), recordedHeads };
  }
}
