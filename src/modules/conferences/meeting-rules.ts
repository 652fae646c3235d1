/**
 * The meeting's input rules that need no I/O (MeetingService applies them before its
 * transaction). Pure: no Nest, no database.
 */
import { isCalendarDate } from '../../../libs/business-calendar/index.js';
import { Problem, type FieldError } from '../../common/problems/problem.js';
import { RequestValidationError } from '../../common/problems/validation.js';

/** The fields of an attendance entry these rules read. */
export interface AttendanceEntry {
  agencyId: string;
  userId?: string;
  present: boolean;
  confidentialityAcknowledged: boolean;
}

/** The fields of an outcome's action these rules read. */
export interface OutcomeAction {
  dueDate?: string;
  dueInWorkingDays?: number;
}

/** Present attendees have acknowledged confidentiality (422); one entry per agency and person (400). */
export function checkAttendanceEntries(entries: AttendanceEntry[]): void {
  const seen = new Set<string>();
  const duplicates: FieldError[] = [];
  for (const [i, e] of entries.entries()) {
    const key = `${e.agencyId.toLowerCase()}/${e.userId?.toLowerCase() ?? ''}`;
    if (seen.has(key)) duplicates.push({ field: `entries.${i}`, message: 'the same agency and person are listed twice' });
    seen.add(key);
  }
  if (duplicates.length) throw new RequestValidationError(duplicates);
  const unacknowledged = entries.flatMap((e, i) =>
    e.present && !e.confidentialityAcknowledged ? [{ field: `entries.${i}.confidentialityAcknowledged`, message: 'a present attendee must acknowledge confidentiality' }] : [],
  );
  if (unacknowledged.length) {
    throw Problem.unprocessable(
      'confidentiality-not-acknowledged',
      'Confidentiality not acknowledged',
      'Every present attendee acknowledges confidentiality before any case is discussed.',
      { errors: unacknowledged },
    );
  }
}

/** Exactly one of dueDate (a real calendar date) and dueInWorkingDays per action (400 otherwise). */
export function checkOutcomeActions(actions: OutcomeAction[]): void {
  const errors: FieldError[] = [];
  for (const [i, a] of actions.entries()) {
    const hasDate = a.dueDate !== undefined && a.dueDate !== null;
    const hasDays = a.dueInWorkingDays !== undefined && a.dueInWorkingDays !== null;
    if (hasDate === hasDays) errors.push({ field: `actions.${i}.dueDate`, message: 'give exactly one of dueDate and dueInWorkingDays' });
    else if (hasDate && !isCalendarDate(a.dueDate!)) errors.push({ field: `actions.${i}.dueDate`, message: 'dueDate must be a valid calendar date' });
  }
  if (errors.length) throw new RequestValidationError(errors);
}
