import { groupsWithRole, type AuthUser } from './request-context.js';

describe('groupsWithRole', () => {
  const user: AuthUser = {
    id: 'u1', email: 'testi.kayttaja@example.test', agencyId: 'a1', sessionId: 's1',
    roles: [
      { role: 'admin', groupId: null },
      { role: 'coordinator', groupId: 'g1' },
      { role: 'chair', groupId: 'g1' },
      { role: 'chair', groupId: 'g2' },
      { role: 'agency_rep', groupId: 'g3' },
    ],
  };

  it('lists each group once in which the user holds any of the roles', () => {
    expect(groupsWithRole(user, 'coordinator', 'chair')).toEqual(['g1', 'g2']);
    expect(groupsWithRole(user, 'agency_rep')).toEqual(['g3']);
    expect(groupsWithRole(user, 'referrer')).toEqual([]);
  });

  it('never lists the null group of a deployment-wide role', () => {
    expect(groupsWithRole(user, 'admin', 'coordinator')).toEqual(['g1']);
  });
});
