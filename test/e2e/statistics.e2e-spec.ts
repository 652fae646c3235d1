import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { aGroup, aUser, anAgency, type TestUser } from '../harness/factories.js';
import { aReferralBody } from '../harness/referrals.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

const P = (slug: string) => `https://marak.example/problems/${slug}`;
const PERIOD = 'from=2027-03-01&to=2027-03-31';

/** Every count cell of a report (rates and medians left out): none may be 1–4. */
function counts(value: unknown, path = ''): Array<[string, unknown]> {
  if (value === null || typeof value !== 'object') return /Percent$|medianWorkingDays$|^\.?(groupId|name|kind|agencyId)$|\.(groupId|name|kind|agencyId|from|to)$/.test(path) ? [] : [[path, value]];
  return Object.entries(value).flatMap(([k, v]) => counts(v, `${path}.${k}`));
}

/**
 * Statistics (API.md: GET /groups/:id/statistics, GET /statistics): figures from the
 * workflow's own rows, cells under 5 shown as "<5" and their complements hidden, JSON and CSV,
 * for the group's coordinator, chair and analysts only, audited without personal data.
 */
describe('statistics', () => {
  let t: TestApp;
  let db: DataSource;
  let group: { id: string };
  let otherGroup: { id: string };
  let police: { id: string };
  let social: { id: string };
  let coordinator: TestUser;
  let chair: TestUser;
  let analyst: TestUser;
  let otherAnalyst: TestUser;
  let rep: TestUser;
  const as = (u: TestUser) => t.as(u.accessToken);

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z')); // Monday 1 March, 10:00 Helsinki
    await t.renewAdmin();
    police = await anAgency(t, { kind: 'police' });
    social = await anAgency(t, { kind: 'social_services' });
    group = await aGroup(t, [police.id, social.id]);
    otherGroup = await aGroup(t, [police.id]);
    const policeReferrer = await aUser(t, police.id, [{ role: 'referrer', groupId: group.id }]);
    const socialReferrer = await aUser(t, social.id, [{ role: 'referrer', groupId: group.id }]);
    coordinator = await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }]);
    chair = await aUser(t, police.id, [{ role: 'chair', groupId: group.id }]);
    analyst = await aUser(t, null, [{ role: 'analyst', groupId: group.id }]);
    otherAnalyst = await aUser(t, null, [{ role: 'analyst', groupId: otherGroup.id }]);
    rep = await aUser(t, police.id, [{ role: 'agency_rep', groupId: group.id }]);

    await as(coordinator).post(`/api/v1/groups/${group.id}/conferences`).send({ startsAt: '2027-03-23T07:00:00.000Z' }).expect(201);
    // 12 referrals (6 police, 6 social services): 10 accepted, 2 declined.
    const caseIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const referrer = i < 6 ? policeReferrer : socialReferrer;
      const children = i === 0 ? [{ firstName: 'Lapsi', livesWithVictim: true }] : [];
      const d = await as(referrer).post('/api/v1/referrals').send(aReferralBody(group.id, { children, childWelfareNotification: { status: 'made', madeAt: '2027-02-27' } })).expect(201);
      await as(referrer).post(`/api/v1/referrals/${d.body.id}/submit`).send({}).expect(200);
      if (i % 6 === 5) await as(coordinator).post(`/api/v1/referrals/${d.body.id}/decline`).send({ reason: 'Ei MARAK-kriteerejä tässä testissä.' }).expect(200);
      else caseIds.push((await as(coordinator).post(`/api/v1/referrals/${d.body.id}/accept`).send({}).expect(200)).body.caseId);
    }
    // Five cases heard on Tuesday 9 March (6 working days after Monday 1 March).
    const conferenceId = randomUUID();
    await db.query(
      `INSERT INTO conferences (id, group_id, starts_at, ends_at, meeting_date, cutoff_at, capacity, minutes_per_case, origin, status)
       VALUES ($1, $2, '2027-03-09T07:00:00Z', '2027-03-09T10:00:00Z', '2027-03-09', '2027-03-01T00:00:00Z', 20, 15, 'scheduled', 'concluded')`,
      [conferenceId, group.id],
    );
    await db.query(`DELETE FROM agenda_items WHERE case_id = ANY($1::uuid[])`, [caseIds]);
    for (const [i, caseId] of caseIds.slice(0, 5).entries()) {
      await db.query(`INSERT INTO agenda_items (id, conference_id, case_id, kind, status, position, created_at) VALUES ($1, $2, $3, 'new', 'heard', $4, now())`, [randomUUID(), conferenceId, caseId, i]);
    }
    // Actions: police 6 completed on time; social services 1 late, 1 open.
    const action = (caseId: string, agencyId: string, due: string, completedAt: string | null) =>
      db.query(
        `INSERT INTO actions (id, case_id, group_id, agency_id, description_enc, due_date, status, assigned_at, completed_at, closed_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, '\\x00', $5, $6, '2027-03-09T09:00:00Z', $7, $7, now(), now())`,
        [randomUUID(), caseId, group.id, agencyId, due, completedAt ? 'completed' : 'assigned', completedAt],
      );
    for (const caseId of caseIds.slice(0, 6)) await action(caseId, police.id, '2027-03-16', '2027-03-15T20:00:00Z');
    await action(caseIds[6]!, social.id, '2027-03-16', '2027-03-16T22:30:00Z'); // 17 March in Helsinki: late
    await action(caseIds[7]!, social.id, '2027-03-16', null);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives the group’s coordinator the period’s figures, small cells as "<5" and their complements hidden', async () => {
    const res = await as(coordinator).get(`/api/v1/groups/${group.id}/statistics?${PERIOD}`).expect(200);
    const s = res.body;
    expect(s).toMatchObject({ groupId: group.id, period: { from: '2027-03-01', to: '2027-03-31' } });
    expect(s.referrals).toMatchObject({ total: 12, byAgencyKind: { police: 6, social_services: 6, health: 0 }, byEligibilityGround: { score: 12, repeat: 0 } });
    // 2 declined: "<5"; accepted (10) hidden with it, else 12 − 10 gives it away; and new cases (= accepted) too.
    expect(s.referrals).toMatchObject({ declined: '<5', accepted: 'x', pending: 0, withdrawn: 0 });
    expect(s.cases).toMatchObject({ new: 'x', repeat: 0, repeatRatePercent: null });
    expect(s.victims.total).toBe(12);
    expect(s.victims.byGender).toEqual({ female: 12, male: 0, other_or_unknown: 0 });
    expect(s.children).toEqual({ inHouseholds: '<5', referralsWithChildren: '<5' });
    expect(s.referralToHearing).toEqual({ heard: 5, medianWorkingDays: 6 });
    const byAgency = Object.fromEntries(s.actions.byAgency.map((a: { agencyId: string }) => [a.agencyId, a]));
    // Social services' 2 actions are "<5"; police's 6 are hidden with them (8 agreed in all is shown).
    expect(s.actions.agreed).toBe(8);
    expect(byAgency[police.id]).toMatchObject({ agreed: 'x', completedOnTime: 'x', completedLate: 0, notCompleted: 0, onTimeRatePercent: null });
    expect(byAgency[social.id]).toMatchObject({ agreed: '<5', completedLate: '<5', notCompleted: '<5' });
    for (const [path, v] of counts(s)) {
      if (typeof v === 'number') expect([path, v >= 5 || v === 0]).toEqual([path, true]);
      else expect([path, v]).toEqual([path, expect.stringMatching(/^(<5|x)$/)]);
    }
    const [audit] = await db.query(`SELECT actor_id, subject_ids, details, group_id FROM audit_log WHERE action = 'statistics.read' ORDER BY seq DESC LIMIT 1`);
    expect(audit).toMatchObject({ actor_id: coordinator.id, subject_ids: [], group_id: group.id, details: { periodFrom: '2027-03-01', periodTo: '2027-03-31', format: 'json' } });
  });

  it('counts only the period: an empty month is all zeros', async () => {
    const s = (await as(chair).get(`/api/v1/groups/${group.id}/statistics?from=2027-04-01&to=2027-04-30`).expect(200)).body;
    expect(s.referrals.total).toBe(0);
    expect(s.actions.agreed).toBe(0);
    expect(s.referralToHearing).toEqual({ heard: 0, medianWorkingDays: null });
  });

  it('answers CSV with a stable column and row order', async () => {
    const res = await as(analyst).get(`/api/v1/groups/${group.id}/statistics?${PERIOD}&format=csv`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const lines = res.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('scope,group_id,measure,category,value');
    expect(lines[1]).toBe(`group,${group.id},referrals,total,12`);
    expect(lines).toContain(`group,${group.id},referrals.outcome,declined,<5`);
    expect(lines).toContain(`group,${group.id},referral_to_hearing,median_working_days,6`);
    const again = await as(analyst).get(`/api/v1/groups/${group.id}/statistics?${PERIOD}&format=csv`).expect(200);
    expect(again.text).toBe(res.text);
    expect(res.text).not.toMatch(/Testi|Uhri|Keksitty|Lapsi/);
  });

  it('gives analysts every group and the total, suppressed together', async () => {
    const res = await as(otherAnalyst).get(`/api/v1/statistics?${PERIOD}`).expect(200);
    const mine = res.body.groups.find((g: { groupId: string }) => g.groupId === group.id);
    const other = res.body.groups.find((g: { groupId: string }) => g.groupId === otherGroup.id);
    expect(mine.referrals.total).toBe(12);
    expect(other.referrals.total).toBe(0);
    expect(res.body.total.referrals.total).toBe(12);
    // What the group's own report hides stays hidden here.
    expect(mine.referrals.declined).toBe('<5');
    expect(mine.referrals.accepted).toBe('x');
    expect(res.body.total.referrals.declined).toBe('<5');
    const csv = await as(analyst).get(`/api/v1/statistics?${PERIOD}&format=csv`).expect(200);
    expect(csv.text.split('\r\n')).toContain('total,,referrals,total,12');
  });

  it('refuses others: an analyst of another group 404, an agency rep 403, a coordinator the deployment report 403', async () => {
    await as(otherAnalyst).get(`/api/v1/groups/${group.id}/statistics?${PERIOD}`).expect(404);
    await as(rep).get(`/api/v1/groups/${group.id}/statistics?${PERIOD}`).expect(403);
    await as(coordinator).get(`/api/v1/statistics?${PERIOD}`).expect(403);
    await as(coordinator).get(`/api/v1/groups/${randomUUID()}/statistics?${PERIOD}`).expect(404);
  });

  it('counts the working days to a hearing in any year (here 2101): the median of 6, 6, 6, 7, 7, 7 is 6.5', async () => {
    const farGroup = await aGroup(t, [police.id]);
    const farReferrer = await aUser(t, police.id, [{ role: 'referrer', groupId: farGroup.id }]);
    const farCoordinator = await aUser(t, police.id, [{ role: 'coordinator', groupId: farGroup.id }]);
    await as(farCoordinator).post(`/api/v1/groups/${farGroup.id}/conferences`).send({ startsAt: '2027-03-23T07:00:00.000Z' }).expect(201);
    const caseIds: string[] = [];
    for (let i = 0; i < 6; i++) {
      const d = await as(farReferrer).post('/api/v1/referrals').send(aReferralBody(farGroup.id, { childWelfareNotification: { status: 'made', madeAt: '2027-02-27' } })).expect(201);
      await as(farReferrer).post(`/api/v1/referrals/${d.body.id}/submit`).send({}).expect(200);
      caseIds.push((await as(farCoordinator).post(`/api/v1/referrals/${d.body.id}/accept`).send({}).expect(200)).body.caseId);
    }
    // Submitted on Tuesday 1 March 2101; three heard on Wednesday 9 March (6 working days), three on Thursday 10 March (7).
    await db.query(`UPDATE referrals SET submitted_at = '2101-03-01T08:00:00Z' WHERE group_id = $1`, [farGroup.id]);
    await db.query(`DELETE FROM agenda_items WHERE case_id = ANY($1::uuid[])`, [caseIds]);
    for (const [day, cases] of [['2101-03-09', caseIds.slice(0, 3)], ['2101-03-10', caseIds.slice(3)]] as const) {
      const conferenceId = randomUUID();
      await db.query(
        `INSERT INTO conferences (id, group_id, starts_at, ends_at, meeting_date, cutoff_at, capacity, minutes_per_case, origin, status)
         VALUES ($1, $2, $3::date + time '07:00' AT TIME ZONE 'UTC', $3::date + time '10:00' AT TIME ZONE 'UTC', $3, '2101-03-01T00:00:00Z', 20, 15, 'scheduled', 'concluded')`,
        [conferenceId, farGroup.id, day],
      );
      for (const [i, caseId] of cases.entries()) {
        await db.query(`INSERT INTO agenda_items (id, conference_id, case_id, kind, status, position, created_at) VALUES ($1, $2, $3, 'new', 'heard', $4, now())`, [randomUUID(), conferenceId, caseId, i]);
      }
    }
    const s = (await as(farCoordinator).get(`/api/v1/groups/${farGroup.id}/statistics?from=2101-03-01&to=2101-03-31`).expect(200)).body;
    expect(s.referralToHearing).toEqual({ heard: 6, medianWorkingDays: 6.5 });
  });

  it('refuses a period ending on the last day of the calendar (9999-12-31) with 400, not 500', async () => {
    for (const q of ['from=9999-12-31&to=9999-12-31', 'from=9999-01-01&to=9999-12-31']) {
      const res = await as(coordinator).get(`/api/v1/groups/${group.id}/statistics?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.type).toBe(P('validation'));
    }
    await as(otherAnalyst).get('/api/v1/statistics?from=9999-12-31&to=9999-12-31').expect(400);
    await as(coordinator).get(`/api/v1/groups/${group.id}/statistics?from=9999-12-30&to=9999-12-30`).expect(200);
  });

  it('refuses bad periods with 400 problem+json', async () => {
    for (const q of ['from=2027-02-30&to=2027-03-31', 'from=2027-03-31&to=2027-03-01', 'to=2027-03-01', 'from=2020-01-01&to=2027-03-01', `${PERIOD}&format=xml`, `${PERIOD}&extra=1`]) {
      const res = await as(coordinator).get(`/api/v1/groups/${group.id}/statistics?${q}`);
      expect([q, res.status]).toEqual([q, 400]);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    expect((await as(coordinator).get(`/api/v1/groups/${group.id}/statistics?from=2027-03-31&to=2027-03-01`)).body.type).toBe(P('validation'));
  });
});
