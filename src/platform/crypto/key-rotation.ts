import type { DataSource, EntityManager } from 'typeorm';
import { FieldDecryptError, needsReencryption, reencryptField, type Keyring } from '../../../libs/field-crypto/index.js';
import { ENCRYPTED_COLUMNS as PEOPLE_ENCRYPTED_COLUMNS, PEOPLE_TABLE } from '../../modules/people/person-fields.js';

/** A table with encrypted columns: how its rows are keyed and what context each column's blobs are bound to. */
export interface EncryptedTable {
  table: string;
  /** Columns identifying a row, in keyset order. */
  key: readonly string[];
  /** The `rowId` bound into the blobs, from the key's values. */
  rowId(key: readonly string[]): string;
  /** `<column>` (the bytea) → the `column` name bound into its blobs. */
  columns: Readonly<Record<string, string>>;
}

const byId = (key: readonly string[]) => key[0]!;
const same = (...columns: string[]) => Object.fromEntries(columns.map((c) => [c, c]));

/**
 * Every encrypted column of the deployment and the context its module encrypts it with. A test
 * compares this list with the schema (every `*_enc` column must be here), so a new encrypted
 * column cannot be forgotten by key rotation. `actions` and `action_events` follow the
 * convention of the other tables (`column` without `_enc`); the actions module must use it.
 */
export const ENCRYPTED_TABLES: readonly EncryptedTable[] = [
  // The people module binds each blob to the column's own name (person-fields.ts).
  { table: PEOPLE_TABLE, key: ['id'], rowId: byId, columns: same(...PEOPLE_ENCRYPTED_COLUMNS) },
  {
    table: 'referrals',
    key: ['id'],
    rowId: byId,
    columns: { answers_enc: 'answers', professional_judgement_enc: 'professional_judgement', summary_enc: 'summary', immediate_safety_enc: 'immediate_safety', reason_enc: 'reason' },
  },
  { table: 'cases', key: ['id'], rowId: byId, columns: { close_note_enc: 'close_note' } },
  { table: 'victim_views', key: ['id'], rowId: byId, columns: { views_enc: 'views', wishes_enc: 'wishes' } },
  { table: 'actions', key: ['id'], rowId: byId, columns: { description_enc: 'description', outcome_enc: 'outcome', reason_enc: 'reason' } },
  { table: 'action_events', key: ['id'], rowId: byId, columns: { reason_enc: 'reason' } },
  { table: 'agenda_outcomes', key: ['item_id'], rowId: byId, columns: { risk_summary_enc: 'risk_summary' } },
  { table: 'agenda_deferrals', key: ['item_id'], rowId: byId, columns: { reason_enc: 'reason' } },
  { table: 'users', key: ['id'], rowId: byId, columns: { mfa_secret_enc: 'mfa_secret' } },
  { table: 'idempotency_keys', key: ['scope', 'key'], rowId: ([scope, key]) => `${scope}/${key}`, columns: { response_enc: 'response' } },
];

export interface TableRotationReport {
  table: string;
  /** Rows found with a blob under an older key. */
  rows: number;
  reencryptedRows: number;
  reencryptedFields: number;
  /** Rows whose blobs could not be decrypted (left as they are; their key row ids are not reported, only the count). */
  failed: number;
  /** Rows still holding an older key's blob after this run (failed or locked while it ran). */
  remaining: number;
}

export interface RotationReport {
  currentKeyVersion: number;
  tables: TableRotationReport[];
}

/**
 * `npm run keys:rotate`: re-encrypts every blob written under a key version other than the
 * keyring's current one (the last of MARAK_DATA_KEYS) with that current key. Per table, in key
 * order, `batchSize` rows at a time, each batch its own transaction with the rows locked
 * `FOR UPDATE SKIP LOCKED` (a row being changed right now is left for the next run). Resumable
 * and idempotent: only stale blobs are selected, so a run that stops half way is simply run
 * again, and a run with nothing stale changes nothing. The data does not change, so versions
 * and `updated_at` stay. When every table reports `remaining: 0`, the old key can be retired.
 */
export async function rotateKeys(db: DataSource, keyring: Keyring, opts: { batchSize?: number; tables?: readonly EncryptedTable[] } = {}): Promise<RotationReport> {
  const batchSize = opts.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  const current = Buffer.alloc(2);
  current.writeUInt16BE(keyring.currentVersion, 0);
  const tables: TableRotationReport[] = [];
  for (const spec of opts.tables ?? ENCRYPTED_TABLES) tables.push(await rotateTable(db, keyring, spec, current, batchSize));
  return { currentKeyVersion: keyring.currentVersion, tables };
}

/** SQL: the row has a blob in some column whose key version (bytes 2–3) is not the current one. */
function staleCondition(spec: EncryptedTable, param: string): string {
  return Object.keys(spec.columns).map((c) => `(${c} IS NOT NULL AND substring(${c} FROM 2 FOR 2) <> ${param})`).join(' OR ');
}

async function rotateTable(db: DataSource, keyring: Keyring, spec: EncryptedTable, current: Buffer, batchSize: number): Promise<TableRotationReport> {
  const report: TableRotationReport = { table: spec.table, rows: 0, reencryptedRows: 0, reencryptedFields: 0, failed: 0, remaining: 0 };
  const columns = Object.keys(spec.columns);
  const keyList = spec.key.join(', ');
  const keyParams = spec.key.map((_, i) => `$${i + 2}`).join(', ');
  let after: string[] | undefined;

  const batch = async (tx: EntityManager): Promise<number> => {
    const rows: Record<string, unknown>[] = await tx.query(
      `SELECT ${keyList}, ${columns.join(', ')} FROM ${spec.table}
        WHERE (${staleCondition(spec, '$1')}) ${after ? `AND (${keyList}) > (${keyParams})` : ''}
        ORDER BY ${keyList} LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`,
      [current, ...(after ?? [])],
    );
    for (const row of rows) {
      const key = spec.key.map((k) => String(row[k]));
      after = key;
      report.rows++;
      const changes: Array<{ column: string; blob: Buffer }> = [];
      try {
        for (const column of columns) {
          const blob = row[column] as Buffer | null;
          if (blob && (blob.length < 3 || needsReencryption(keyring, blob))) {
            changes.push({ column, blob: reencryptField(keyring, blob, { table: spec.table, column: spec.columns[column]!, rowId: spec.rowId(key) }) });
          }
        }
      } catch (e) {
        if (!(e instanceof FieldDecryptError)) throw e;
        report.failed++;
        continue;
      }
      if (changes.length === 0) continue;
      await tx.query(
        `UPDATE ${spec.table} SET ${changes.map((c, i) => `${c.column} = $${i + 1}`).join(', ')}
          WHERE (${keyList}) = (${spec.key.map((_, i) => `$${changes.length + i + 1}`).join(', ')})`,
        [...changes.map((c) => c.blob), ...key],
      );
      report.reencryptedRows++;
      report.reencryptedFields += changes.length;
    }
    return rows.length;
  };

  while ((await db.transaction(batch)) === batchSize);
  const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM ${spec.table} WHERE ${staleCondition(spec, '$1')}`, [current]);
  report.remaining = n;
  return report;
}
