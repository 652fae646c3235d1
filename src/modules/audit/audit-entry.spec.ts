import { AuditEntryError, normaliseAuditEntry, validateDetails } from './audit-entry.js';

const GROUP = '33333333-3333-4333-8333-333333333333';
const user = {
  id: '11111111-1111-4111-8111-111111111111',
  email: 'x@example.test',
  agencyId: '22222222-2222-4222-8222-222222222222',
  roles: [
    { role: 'coordinator' as const, groupId: GROUP },
    { role: 'admin' as const, groupId: null },
  ],
  sessionId: 's',
};

describe('normaliseAuditEntry', () => {
  it('takes actor, purpose and request id from the request context', () => {
    const c = normaliseAuditEntry({ action: 'case.read', objectType: 'case', objectId: 'MRK-2027-0001' }, { requestId: 'req-9', user, purpose: 'conference-preparation' });
    expect(c).toEqual({
      actorId: user.id,
      actorAgencyId: user.agencyId,
      actorRoles: ['admin', `coordinator@${GROUP}`],
      action: 'case.read',
      objectType: 'case',
      objectId: 'MRK-2027-0001',
      subjectIds: [],
      purpose: 'conference-preparation',
      requestId: 'req-9',
      groupId: null,
      details: {},
    });
  });

  it('lets the entry override the context; null records the system', () => {
    const c = normaliseAuditEntry({ action: 'timer.fire', objectType: 'timer', actor: null, requestId: 'job:timers:17', purpose: null }, { requestId: 'req-9', user, purpose: 'x' });
    expect(c).toMatchObject({ actorId: null, actorAgencyId: null, actorRoles: [], requestId: 'job:timers:17', purpose: null });
  });

  it('sorts, lowercases and de-duplicates subjects so the encoding is stable', () => {
    const c = normaliseAuditEntry({ action: 'case.read', objectType: 'case', subjectIds: ['BBBBBBBB-0000-4000-8000-000000000000', 'aaaaaaaa-0000-4000-8000-000000000000', 'bbbbbbbb-0000-4000-8000-000000000000'] });
    expect(c.subjectIds).toEqual(['aaaaaaaa-0000-4000-8000-000000000000', 'bbbbbbbb-0000-4000-8000-000000000000']);
  });

  it.each([
    ['an action without a verb', { action: 'case', objectType: 'case' }],
    ['an action with spaces', { action: 'case read', objectType: 'case' }],
    ['an object id with spaces (a name?)', { action: 'case.read', objectType: 'case', objectId: 'Aino Virtanen' }],
    ['a subject that is not a uuid', { action: 'case.read', objectType: 'case', subjectIds: ['131052-308T'] }],
    ['a malformed group', { action: 'case.read', objectType: 'case', groupId: 'g1' }],
    ['a free-text purpose', { action: 'case.read', objectType: 'case', purpose: 'because I wanted to' }],
  ])('refuses %s', (_what, entry) => {
    expect(() => normaliseAuditEntry(entry)).toThrow(AuditEntryError);
  });

  it('never echoes the refused value', () => {
    try {
      normaliseAuditEntry({ action: 'case.read', objectType: 'case', objectId: 'Aino Virtanen' });
      throw new Error('not refused');
    } catch (e) {
      expect((e as Error).message).not.toContain('Aino');
    }
  });
});

describe('audit details', () => {
  it('accepts allow-listed codes, integers, booleans, null and flat arrays', () => {
    expect(validateDetails({ caseRef: 'MRK-2027-0001', count: 3, restricted: true, reasonCode: null, fields: ['dueDate', 'ownerAgencyId'] })).toEqual({
      caseRef: 'MRK-2027-0001',
      count: 3,
      restricted: true,
      reasonCode: null,
      fields: ['dueDate', 'ownerAgencyId'],
    });
  });

  it('refuses a key that is not on the allow-list, without echoing anything odd', () => {
    expect(() => validateDetails({ victimName: 'Aino' })).toThrow(/"victimName" is not on the allow-list/);
    expect(() => validateDetails({ 'Aino Virtanen': 1 })).toThrow(/^audit detail key is not on the allow-list$/);
  });

  it.each([
    ['free text', { reasonCode: 'she said he hit her' }],
    ['a long string', { caseRef: 'x'.repeat(129) }],
    ['a fraction', { count: 1.5 }],
    ['a nested object', { state: { victim: 'x' } }],
    ['a nested array', { fields: [['a']] }],
    ['too many items', { fields: Array.from({ length: 101 }, (_, i) => `f${i}`) }],
  ])('refuses %s', (_what, details) => {
    expect(() => validateDetails(details)).toThrow(AuditEntryError);
  });
});
