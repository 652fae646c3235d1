import { MIGRATIONS as LANDED_BY_1764000005000 } from '../../../migrations/index.js';
import { AuditChains1764000006000 } from '../../../migrations/1764000006000-audit-chains.js';
import { AuditSubjectIndexPendingList1764000007000 } from '../../../migrations/1764000007000-audit-subject-index-pending-list.js';

/**
 * Every migration, in order. `migrations/index.ts` stays exactly as it landed (nothing under
 * `migrations/` is edited once landed), so migrations added after 1764000005000 are listed here:
 * append a new one at the end.
 */
export const MIGRATIONS = [...LANDED_BY_1764000005000, AuditChains1764000006000, AuditSubjectIndexPendingList1764000007000];
