import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The GIN index of the audit log's data subjects (`audit_log_subject_ids_idx`, for a data
 * subject's access log) keeps at most 256 kB of new entries in its pending list, instead of
 * PostgreSQL's default 4 MB (`gin_pending_list_limit`; a plain number is kB).
 *
 * New rows' entries go to that list first; the insert that finds the list over its limit merges
 * all of it into the index itself, inside that insert. An audited read writes one entry per data
 * subject it shows (up to 50 on an inbox page), so at 100 such reads a second the 4 MB list filled
 * every 15–30 s, and the read that merged it waited 28–94 ms in its audit INSERT, with its audit
 * chain's lock held (bench/RESULTS.md, 2026-12-05 morning). With 256 kB each merge is a sixteenth
 * of that: in the same minute of load the longest audit INSERT took 13 ms. Search results are
 * unchanged; a search reads the pending list too, now at most 256 kB of it.
 *
 * Only the index's storage parameter changes: a catalog update, no rewrite of the index. It takes
 * the index's ACCESS EXCLUSIVE lock for a moment, which waits for the audit writes in flight and
 * holds up those behind it: with other processes serving while this one migrates, it gives up
 * after 1 s (this process's start then fails, for its supervisor to restart it) rather than queue
 * every audited request behind a long transaction. The audit writes it waits for last
 * milliseconds; a wait of a second means a long transaction, and each attempt holds audited
 * requests up for at most that second.
 */
export class AuditSubjectIndexPendingList1764000007000 implements MigrationInterface {
  name = 'AuditSubjectIndexPendingList1764000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL lock_timeout = '1s'`);
    await q.query(`ALTER INDEX audit_log_subject_ids_idx SET (gin_pending_list_limit = 256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX audit_log_subject_ids_idx RESET (gin_pending_list_limit)`);
  }
}
