import { Problem } from '../../common/problems/problem.js';
import { RequestValidationError } from '../../common/problems/validation.js';
import { checkAttendanceEntries, checkOutcomeActions } from './meeting-rules.js';

const POLICE = '0b8e3c1e-6a51-4d43-9c27-2f0c6f7d5a10';
const SOCIAL = '1c9f4d2f-7b62-4e54-8d38-3a1d7e8e6b21';
const PERSON = '2da05e30-8c73-4f65-9e49-4b2e8f9f7c32';

function refusal(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

describe('checkAttendanceEntries', () => {
  it('accepts present acknowledged attendees, absent ones without acknowledgement, and an empty list', () => {
    expect(() =>
      checkAttendanceEntries([
        { agencyId: POLICE, userId: PERSON, present: true, confidentialityAcknowledged: true },
        { agencyId: SOCIAL, present: false, confidentialityAcknowledged: false },
        { agencyId: POLICE, present: false, confidentialityAcknowledged: true },
      ]),
    ).not.toThrow();
    expect(() => checkAttendanceEntries([])).not.toThrow();
  });

  it('refuses a present attendee without the acknowledgement with 422 naming each such entry', () => {
    const e = refusal(() =>
      checkAttendanceEntries([
        { agencyId: POLICE, present: true, confidentialityAcknowledged: true },
        { agencyId: SOCIAL, present: true, confidentialityAcknowledged: false },
        { agencyId: SOCIAL, userId: PERSON, present: true, confidentialityAcknowledged: false },
      ]),
    ) as Problem;
    expect(e).toBeInstanceOf(Problem);
    expect(e.status).toBe(422);
    expect(e.slug).toBe('confidentiality-not-acknowledged');
    expect((e.extensions.errors as Array<{ field: string }>).map((x) => x.field)).toEqual(['entries.1.confidentialityAcknowledged', 'entries.2.confidentialityAcknowledged']);
  });

  it('refuses the same agency and person twice (ids compared case-insensitively) with 400', () => {
    const e = refusal(() =>
      checkAttendanceEntries([
        { agencyId: POLICE, userId: PERSON, present: true, confidentialityAcknowledged: true },
        { agencyId: POLICE.toUpperCase(), userId: PERSON.toUpperCase(), present: false, confidentialityAcknowledged: false },
      ]),
    ) as RequestValidationError;
    expect(e).toBeInstanceOf(RequestValidationError);
    expect(e.errors).toEqual([{ field: 'entries.1', message: expect.any(String) }]);
  });
});

describe('checkOutcomeActions', () => {
  it('accepts exactly one of dueDate and dueInWorkingDays', () => {
    expect(() => checkOutcomeActions([{ dueDate: '2027-03-30' }, { dueInWorkingDays: 5 }])).not.toThrow();
    expect(() => checkOutcomeActions([])).not.toThrow();
  });

  it('refuses both, neither or an impossible date with 400 naming the action', () => {
    const e = refusal(() => checkOutcomeActions([{ dueDate: '2027-03-30', dueInWorkingDays: 5 }, {}, { dueDate: '2027-02-29' }, { dueInWorkingDays: 3 }])) as RequestValidationError;
    expect(e).toBeInstanceOf(RequestValidationError);
    expect(e.errors.map((x) => x.field)).toEqual(['actions.0.dueDate', 'actions.1.dueDate', 'actions.2.dueDate']);
  });
});
