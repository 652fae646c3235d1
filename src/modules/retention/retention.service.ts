import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { AuditService } from '../audit/audit.service.js';
import { PeopleService } from '../people/people.service.js';
import type { CaseErasure } from './case-erasure.js';
import { findDueCases, type DueCase } from './retention-due.js';
import { RetentionErasers } from './retention-erasers.js';
import { LOCK_KEYS } from '../../platform/database/lock-keys.js';

/** What an anonymised free-text field reads as (encrypted like any value, so readers need no special case). */
export const ANONYMISED_TEXT = '[anonymised]';
const BATCH = 100;

/** pg_advisory_lock key of the daily retention run (one run at a time across all workers). */
export const RETENTION_RUN_LOCK_KEY = LOCK_KEYS.retentionRun;

export interface RetentionRunReport {
  anonymised: number;
  /** Due when listed, passed over by `anonymise`: locked by a change in progress, or no longer due. */
  skipped: number;
  failed: number;
}

/**
 * Retention (DOMAIN.md "Rules that protect people"): closed cases are anonymised once the
 * group's `retentionYears` (default 5) have passed since the last hearing, or since closure for
 * a case never heard. Personal data and free text are destroyed; the rows, ids, dates, codes and
 * the people's coarse statistics codes stay, so statistics of past periods do not change and the
 * audit log (kept longer, never anonymised: it holds no personal data) still names the case.
 *
 * Each case in its own transaction: the case row locked (a case being changed is left for the
 * next run), every registered eraser run, `cases.anonymised_at` set and one `case.anonymise`
 * audit row recorded last. Idempotent: an anonymised case is never due again, and a run that
 * dies half way rolls back that case only.
 *
 * Built-in erasers (registered here because the modules owning these tables have no eraser of
 * their own yet; each should move into its module's onModuleInit): people (through
 * PeopleService.anonymiseMany), referrals, the case's closing note, victim's views, actions and
 * their history, the hearings' risk summaries and deferral reasons. Each writes its table in one
 * statement (placeholders, bound to their row ids, passed as arrays).
 */
@Injectable()
export class RetentionService implements OnModuleInit {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly erasers: RetentionErasers,
    private readonly people: PeopleService,
    private readonly crypto: FieldCryptoService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    // Free text that stays readable as "[anonymised]": one ciphertext per row (each is bound to its row id), one UPDATE per table.
    const placeholders = (table: string, column: string, rowIds: readonly string[]) => rowIds.map((rowId) => this.crypto.encrypt(ANONYMISED_TEXT, { table, column, rowId }));
    this.erasers.register('people', async ({ tx, personIds }) => (await this.people.anonymiseMany(tx, personIds)).length);
    this.erasers.register('referrals', async ({ tx, referralIds }) =>
      count(
        await tx.query(
          `UPDATE referrals r SET answers_enc = u.answers, summary_enc = u.summary, professional_judgement_enc = NULL, immediate_safety_enc = NULL, reason_enc = NULL
             FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) AS u(id, answers, summary) WHERE r.id = u.id`,
          [referralIds, referralIds.map((rowId) => this.crypto.encrypt('{}', { table: 'referrals', column: 'answers', rowId })), placeholders('referrals', 'summary', referralIds)],
        ),
      ),
    );
    this.erasers.register('cases', async ({ tx, caseId }) => count(await tx.query(`UPDATE cases SET close_note_enc = NULL WHERE id = $1 AND close_note_enc IS NOT NULL`, [caseId])));
    this.erasers.register('victim_views', async ({ tx, caseId }) => count(await tx.query(`DELETE FROM victim_views WHERE case_id = $1`, [caseId])));
    this.erasers.register('actions', async ({ tx, caseId }) => {
      const ids = (await tx.query(`SELECT id FROM actions WHERE case_id = $1`, [caseId]) as Array<{ id: string }>).map((a) => a.id);
      const actions = count(
        await tx.query(`UPDATE actions a SET description_enc = u.description, outcome_enc = NULL, reason_enc = NULL FROM unnest($1::uuid[], $2::bytea[]) AS u(id, description) WHERE a.id = u.id`, [
          ids,
          placeholders('actions', 'description', ids),
        ]),
      );
      const events = count(await tx.query(`UPDATE action_events SET reason_enc = NULL WHERE reason_enc IS NOT NULL AND action_id = ANY($1::uuid[])`, [ids]));
      return actions + events;
    });
    // The conference's record of the hearings: risk summaries and deferral reasons (the risk level, dates and order stay).
    // A placeholder for each of the case's agenda items: an item without an outcome or a deferral simply matches no row.
    this.erasers.register('agenda_outcomes', async ({ tx, caseId }) => {
      const items = (await tx.query(`SELECT id FROM agenda_items WHERE case_id = $1`, [caseId]) as Array<{ id: string }>).map((i) => i.id);
      if (items.length === 0) return 0;
      const outcomes = count(
        await tx.query(`UPDATE agenda_outcomes o SET risk_summary_enc = u.blob FROM unnest($1::uuid[], $2::bytea[]) AS u(id, blob) WHERE o.item_id = u.id`, [
          items,
          placeholders('agenda_outcomes', 'risk_summary', items),
        ]),
      );
      const deferrals = count(
        await tx.query(`UPDATE agenda_deferrals d SET reason_enc = u.blob FROM unnest($1::uuid[], $2::bytea[]) AS u(id, blob) WHERE d.item_id = u.id`, [items, placeholders('agenda_deferrals', 'reason', items)]),
      );
      return outcomes + deferrals;
    });
  }

  /** Cases due at `now` (the dry run's list): ids, references and dates only. */
  due(limit = 1000, now = this.clock.now()): Promise<DueCase[]> {
    return findDueCases(this.db, now, limit);
  }

  /**
   * The daily run: every due case, a batch at a time, each in its own transaction. One run at a
   * time across all workers (PostgreSQL advisory lock): a run that finds another going does
   * nothing. A case that fails, or that `anonymise` passes over (locked by someone changing it,
   * or no longer due), is not fetched again in this run: the next daily run tries it again.
   * `batch`: cases fetched at a time.
   */
  async runDue(batch = BATCH): Promise<RetentionRunReport> {
    const report: RetentionRunReport = { anonymised: 0, skipped: 0, failed: 0 };
    const lock = this.db.createQueryRunner();
    await lock.connect();
    try {
      const [{ locked }] = await lock.query('SELECT pg_try_advisory_lock($1) AS locked', [RETENTION_RUN_LOCK_KEY]);
      if (!locked) {
        this.logger.log('retention run left to the worker already running it');
        return report;
      }
      try {
        const passedOver = new Set<string>();
        for (;;) {
          const due = (await this.due(batch + passedOver.size)).filter((c) => !passedOver.has(c.caseId));
          if (due.length === 0) break;
          for (const c of due) {
            try {
              if (await this.anonymise(c)) report.anonymised++;
              else {
                passedOver.add(c.caseId);
                report.skipped++;
              }
            } catch (err) {
              // Ids and error classes only; the next daily run tries again.
              passedOver.add(c.caseId);
              report.failed++;
              this.logger.error({ caseId: c.caseId, error: err instanceof Error ? err.name : 'unknown' }, 'case anonymisation failed');
            }
          }
          if (due.length < batch) break;
        }
      } finally {
        await lock.query('SELECT pg_advisory_unlock($1)', [RETENTION_RUN_LOCK_KEY]).catch(() => undefined);
      }
    } finally {
      await lock.release();
    }
    if (report.anonymised || report.skipped || report.failed) this.logger.log(report, 'retention run');
    return report;
  }

  /** Anonymises one due case; false when it was no longer due (changed, re-opened, done, or locked right now). */
  async anonymise(c: Pick<DueCase, 'caseId'>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query(
        `SELECT id, reference, group_id, victim_id FROM cases WHERE id = $1 AND status = 'closed' AND anonymised_at IS NULL FOR UPDATE SKIP LOCKED`,
        [c.caseId],
      );
      if (!row) return false;
      if ((await findDueCases(tx, this.clock.now(), 1, c.caseId)).length === 0) return false;
      const [refs] = await tx.query(
        `SELECT coalesce(array_agg(id ORDER BY id), '{}') AS ids,
                coalesce(array_agg(DISTINCT p) FILTER (WHERE p IS NOT NULL), '{}') AS people
           FROM referrals r LEFT JOIN LATERAL unnest(r.perpetrator_ids || r.child_ids || ARRAY[r.victim_id]) p ON true
          WHERE r.case_id = $1`,
        [c.caseId],
      );
      const referralIds = [...new Set<string>(refs.ids)];
      const personIds = [...new Set<string>([row.victim_id, ...refs.people])];
      const now = this.clock.now();
      const erasure: CaseErasure = { tx, caseId: row.id, groupId: row.group_id, personIds, referralIds, now };
      let rows = 0;
      for (const [, eraser] of this.erasers.list()) rows += await eraser(erasure);
      await tx.query(`UPDATE cases SET anonymised_at = $2, version = version + 1, updated_at = $2 WHERE id = $1`, [row.id, now]);
      await this.audit.record(tx, {
        action: 'case.anonymise',
        objectType: 'case',
        objectId: row.id,
        groupId: row.group_id,
        subjectIds: personIds.slice(0, 100),
        actor: null,
        details: { caseRef: row.reference, count: rows, result: 'success' },
      });
      return true;
    });
  }
}

/** Rows changed by an UPDATE or DELETE answered by TypeORM as [rows, count]. */
function count(result: unknown): number {
  return Array.isArray(result) && typeof result[1] === 'number' ? result[1] : 0;
}
