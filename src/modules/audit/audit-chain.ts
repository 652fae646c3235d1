/**
 * The hash chain of the audit log. Pure: no Nest, no I/O.
 *
 * hash(row) = HMAC-SHA256(auditKey, canonical(row) ‖ prev_hash), where canonical(row) is an
 * unambiguous byte string of the row's content, in a fixed field order:
 *
 *   lp("marak.audit.v1") lp(seq) lp(id) lp(occurredAt ISO-8601 UTC, ms)
 *   opt(actorId) opt(actorAgencyId) list(actorRoles) lp(action) lp(objectType) opt(objectId)
 *   list(subjectIds) opt(purpose) opt(requestId) opt(groupId) lp(stable JSON of details)
 *   lp(prevHash)
 *
 * lp(x) = uint32 big-endian byte length ‖ bytes (UTF-8 for text); opt(x) = 0x00 for null, else
 * 0x01 ‖ lp(x); list(xs) = uint32 count ‖ lp(x) for each. Lengths make every field boundary
 * explicit, so no two different rows share an encoding ("ab"+"c" ≠ "a"+"bc", null ≠ "").
 * The row's own seq is covered, so rows cannot be renumbered either.
 *
 * The log is written on AUDIT_CHAINS chains (a row's `chain` column), each from its own genesis
 * hash. `seq` is one sequence for the whole log, taken under the chain's lock, so seq order is
 * each chain's order; the chain number is not in the bytes: a row moved to another chain breaks
 * the links of both.
 *
 * The chain covers ids and codes only — never personal data — so anonymising a case never
 * touches an audit row or breaks the chain.
 */
import { createHmac } from 'node:crypto';
import { stableStringify } from '../../common/idempotency/stable-json.js';
import type { AuditContent } from './audit-entry.js';

export const AUDIT_CHAIN_DOMAIN = 'marak.audit.v1';
export const AUDIT_HASH_BYTES = 32;
/**
 * How many chains the log is written on (migration 1764000006000): a transaction takes the first
 * whose lock is free, so audited transactions wait on each other only when all are busy.
 */
export const AUDIT_CHAINS = 32;

/** The predecessor of a chain's first row: the chain's number in the last two bytes (chain 0: all zeros). */
export function genesisHash(chain: number): Buffer {
  if (!Number.isInteger(chain) || chain < 0 || chain > 0xffff) throw new RangeError('audit chain must be an integer 0-65535');
  const hash = Buffer.alloc(AUDIT_HASH_BYTES);
  hash.writeUInt16BE(chain, AUDIT_HASH_BYTES - 2);
  return hash;
}

/** The predecessor of the first row of chain 0, the log's first row. */
export const GENESIS_HASH: Buffer = genesisHash(0);

/** A row as the chain sees it: its position and its content. */
export interface AuditChainRow extends AuditContent {
  /** bigint as a decimal string, as PostgreSQL returns it. */
  seq: string;
  id: string;
  occurredAt: Date;
}

function lp(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

function opt(value: string | null): Buffer {
  return value === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([1]), lp(value)]);
}

function list(values: readonly string[]): Buffer {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(values.length, 0);
  return Buffer.concat([count, ...values.map(lp)]);
}

/** The bytes the HMAC covers for a row and its predecessor's hash. */
export function canonicalAuditBytes(row: AuditChainRow, prevHash: Buffer): Buffer {
  if (!/^[1-9][0-9]{0,18}$/.test(row.seq)) throw new RangeError('audit seq must be a positive integer string');
  if (Number.isNaN(row.occurredAt.getTime())) throw new RangeError('audit occurredAt is not a valid time');
  if (prevHash.length !== AUDIT_HASH_BYTES) throw new RangeError('audit prev hash must be 32 bytes');
  return Buffer.concat([
    lp(AUDIT_CHAIN_DOMAIN),
    lp(row.seq),
    lp(row.id),
    lp(row.occurredAt.toISOString()),
    opt(row.actorId),
    opt(row.actorAgencyId),
    list(row.actorRoles),
    lp(row.action),
    lp(row.objectType),
    opt(row.objectId),
    list(row.subjectIds),
    opt(row.purpose),
    opt(row.requestId),
    opt(row.groupId),
    lp(stableStringify(row.details)),
    lp(prevHash),
  ]);
}

/** HMAC-SHA256 of the row and its predecessor's hash under the audit key. */
export function auditHash(key: Buffer, row: AuditChainRow, prevHash: Buffer): Buffer {
  return createHmac('sha256', key).update(canonicalAuditBytes(row, prevHash)).digest();
}
