import { toHelsinkiDate } from '../../../libs/business-calendar/index.js';
import { DEFAULT_GROUP_SETTINGS } from '../groups/group-settings.js';
import { acknowledgeRungs, dueRungs, pendingRungs, type Rung } from './action-ladder.js';

const show = (rs: Rung[]) => rs.map((r) => `${r.kind}/${r.step} ${toHelsinkiDate(r.fireAt)} ${r.fireAt.toISOString().slice(11, 16)}`);

describe('the action ladder (DOMAIN.md step 9)', () => {
  it('with the defaults: acknowledge reminder after 2 working days, escalation after 2 more', () => {
    expect(show(acknowledgeRungs(DEFAULT_GROUP_SETTINGS, '2027-06-08'))).toEqual([
      'action.acknowledge-reminder/remind 2027-06-10 06:00', // 09:00 Helsinki, summer time
      'action.acknowledge-escalation/escalate 2027-06-14 06:00',
    ]);
  });

  it('around Midsummer: due on Midsummer Eve means due on Monday; reminders and the overdue rungs skip the holidays', () => {
    // dueDate is stored already moved by the deadline rule: 2027-06-25 (Midsummer Eve) → 2027-06-28.
    expect(show(dueRungs(DEFAULT_GROUP_SETTINGS, '2027-06-28'))).toEqual([
      'action.due-reminder/before 2027-06-23 06:00',
      'action.due-reminder/on 2027-06-28 06:00',
      'action.overdue.agency/agency 2027-06-29 06:00',
      'action.overdue.coordinator/coordinator 2027-07-01 06:00',
      'action.overdue.chair/chair 2027-07-06 06:00',
    ]);
  });

  it('follows the group’s settings and winter time; no “before” reminder when it is set to 0', () => {
    const s = { ...DEFAULT_GROUP_SETTINGS, dueReminderWorkingDays: 0, overdueCoordinatorAfterWorkingDays: 1, overdueChairAfterWorkingDays: 3, acknowledgeWithinWorkingDays: 1, acknowledgeEscalateAfterWorkingDays: 1 };
    // Christmas 2026: 24–27 December are not working days.
    expect(show(acknowledgeRungs(s, '2026-12-23'))).toEqual(['action.acknowledge-reminder/remind 2026-12-28 07:00', 'action.acknowledge-escalation/escalate 2026-12-29 07:00']);
    expect(show(dueRungs(s, '2026-12-23'))).toEqual([
      'action.due-reminder/on 2026-12-23 07:00',
      'action.overdue.agency/agency 2026-12-28 07:00',
      'action.overdue.coordinator/coordinator 2026-12-29 07:00',
      'action.overdue.chair/chair 2026-12-31 07:00',
    ]);
  });

  it('drops reminders already past when an action is created late, but never the overdue rungs', () => {
    const rungs = dueRungs(DEFAULT_GROUP_SETTINGS, '2027-06-28');
    const now = new Date('2027-06-29T12:00:00.000Z');
    expect(pendingRungs(rungs, now).map((r) => r.kind)).toEqual(['action.overdue.agency', 'action.overdue.coordinator', 'action.overdue.chair']);
    expect(pendingRungs(rungs, new Date('2027-06-01T00:00:00.000Z'))).toHaveLength(5);
  });
});
