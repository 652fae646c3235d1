import { MIGRATIONS as LANDED_BY_1764000006000 } from '../../../migrations/index.js';
import { AuditSubjectIndexPendingList1764000007000 } from '../../../migrations/1764000007000-audit-subject-index-pending-list.js';

/**
 * Every migration, in order. `migrations/index.ts` stays exactly as it landed (nothing under
 * `migrations/` is edited once landed); it lists every migration up to 1764000006000. A
 * migration added after that is imported here and appended at the end of this list.
 */
export const MIGRATIONS = [...LANDED_BY_1764000006000, AuditSubjectIndexPendingList1764000007000];
