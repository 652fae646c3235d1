import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The GIN index of the audit log's data subjects (`audit_log_subject_ids_idx`, for a data
 * subject's access log) keeps at most 256 kB of new entries in its pending list, instead of
 * PostgreSQL's default 4 MB (`gin_pending_list_limit`).
 *
 * New rows' entries go to that list first; the insert that finds the list over its limit merges
 * all of it into the index itself, inside that insert. An audited read writes one entry per data
 * subject it shows (50 on an inbox page), so at 100 such reads a second the 4 MB list filled every
 * 25–30 s, and the read that merged it waited 32–94 ms in its audit INSERT, four in a minute
 * (bench/RESULTS.md, 2026-12-05 morning). With 256 kB each merge is a sixteenth of that, and no
 * audit INSERT took 15 ms or more in the same minute. Searches are unchanged: they read the
 * pending list and the index alike.
 *
 * Only the index's storage parameter changes: a catalog update, no rewrite of the index.
 */
export class AuditSubjectIndexPendingList1764000007000 implements MigrationInterface {
  name = 'AuditSubjectIndexPendingList1764000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX audit_log_subject_ids_idx SET (gin_pending_list_limit = 256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER INDEX audit_log_subject_ids_idx RESET (gin_pending_list_limit)`);
  }
}
