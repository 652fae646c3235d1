import type { EntityManager } from 'typeorm';

/** What an eraser is told about the case whose personal data is being destroyed. */
export interface CaseErasure {
  /** The open transaction of this case's anonymisation (one per case). */
  tx: EntityManager;
  caseId: string;
  groupId: string;
  /** The victim, every perpetrator and child named on any of the case's referrals. */
  personIds: string[];
  referralIds: string[];
  now: Date;
}

/**
 * Destroys one module's personal data of a case: encrypted fields and free text emptied or
 * replaced by an encrypted placeholder, ids, dates, codes and counts kept (statistics and the
 * audit log need them). Must be idempotent (a case may be erased again after a crash) and must
 * not record audit rows (the retention service records one per case, last). Returns the number
 * of rows it changed.
 */
export type CaseEraser = (erasure: CaseErasure) => Promise<number>;
