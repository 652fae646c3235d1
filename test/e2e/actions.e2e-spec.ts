import { DataSource } from 'typeorm';
import { helsinkiDateTime, toHelsinkiDate } from '../../libs/business-calendar/index.js';
import { aGroup, aUser, anAgency, type TestUser } from '../harness/factories.js';
import { aMarakGroup, agreeActions, anOpenCase, moveClockTo, relogin, type MarakGroup } from '../harness/marak.js';
import { aReferralBody, aVictim } from '../harness/referrals.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import { INBOX_PAGE_SIZE, listActionsQuery } from '../../src/modules/actions/action-store.js';
import { preparedName } from '../../src/platform/database/preparing-client.js';

const PROBLEM = 'https://marak.example/problems/';

/**
 * Agency actions (DOMAIN.md steps 8–10, API.md Actions) black-box: who sees and answers for
 * which action, the states and their 409s, decline → reassign, a new due date, not possible,
 * the inbox, the digest, and the case closing when its actions are done and re-opening on a
 * repeat referral. One story; the clock only moves forward.
 */
describe('actions: lifecycle, inbox and closure', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;
  let db: DataSource;
  let m: MarakGroup;
  let digestGroup: MarakGroup;
  let referrer: TestUser;
  let outsider: TestUser;
  let outsiderAgency: { id: string };
  let victim: ReturnType<typeof aVictim>;
  let caseR: { id: string; reference: string };
  let caseS: { id: string; reference: string };
  let twoAgencies: { id: string; reference: string };
  let twoAgenciesActions: Array<{ id: string; agencyId: string }>;
  let june: string;
  const a: Record<'P1' | 'S1' | 'P2' | 'H1' | 'S2', { id: string; version: number }> = {} as never;
  const as = (u: TestUser) => t.as(u.accessToken);
  const mailTo = (email: string, subject: RegExp) => smtp.waitForMail((x) => x.to.includes(email) && subject.test(x.subject));

  async function referAndAccept(body: object): Promise<{ caseId: string; reference: string }> {
    const d = await as(referrer).post('/api/v1/referrals').send(body);
    if (d.status !== 201) throw new Error(`draft: ${d.status} ${JSON.stringify(d.body)}`);
    const s = await as(referrer).post(`/api/v1/referrals/${d.body.id}/submit`).send({});
    if (s.status !== 200) throw new Error(`submit: ${s.status} ${JSON.stringify(s.body)}`);
    const acc = await as(m.coordinator).post(`/api/v1/referrals/${d.body.id}/accept`).send({});
    if (acc.status !== 200) throw new Error(`accept: ${acc.status} ${JSON.stringify(acc.body)}`);
    return { caseId: acc.body.caseId, reference: s.body.reference };
  }

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
    db = t.app.get(DataSource);
    t.clock.set(helsinkiDateTime('2027-05-17', '10:00'));
    await t.renewAdmin();
    m = await aMarakGroup(t);
    digestGroup = await aMarakGroup(t, { actionDigest: true });
    referrer = await aUser(t, m.police.id, [{ role: 'referrer', groupId: m.group.id }]);
    outsiderAgency = await anAgency(t, { kind: 'police' });
    const otherGroup = await aGroup(t, [outsiderAgency.id, m.police.id]);
    outsider = await aUser(t, outsiderAgency.id, [{ role: 'agency_rep', groupId: otherGroup.id }]);
    june = (await as(m.coordinator).post(`/api/v1/groups/${m.group.id}/conferences`).send({ startsAt: helsinkiDateTime('2027-06-08', '09:00').toISOString() }).expect(201)).body.id;
    victim = aVictim();
    const r = await referAndAccept(aReferralBody(m.group.id, { victim }));
    caseR = { id: r.caseId, reference: r.reference };
    caseS = await anOpenCase(t, m.group.id);

    // The digest group hears its cases first; both of its actions belong to its police.
    const d1 = await anOpenCase(t, digestGroup.group.id);
    const d2 = await anOpenCase(t, digestGroup.group.id);
    twoAgencies = await anOpenCase(t, digestGroup.group.id);
    const digestAgreed = await agreeActions(t, digestGroup, helsinkiDateTime('2027-06-08', '09:00'), [
      { caseId: d1.id, actions: [{ agencyId: digestGroup.police.id, description: 'Hälytysvasteen merkintä.', dueDate: '2027-06-30' }] },
      { caseId: d2.id, actions: [{ agencyId: digestGroup.police.id, description: 'Lähestymiskiellon hakeminen.', dueDate: '2027-06-30' }] },
      {
        caseId: twoAgencies.id,
        actions: [
          { agencyId: digestGroup.social.id, description: 'Turvakotipaikka.', dueDate: '2027-06-30' },
          { agencyId: digestGroup.health.id, description: 'Terveysseuranta.', dueDate: '2027-06-30' },
        ],
      },
    ]);
    twoAgenciesActions = digestAgreed.actions[2]!.map((x) => ({ id: x.id, agencyId: x.agencyId }));
    const agreed = await agreeActions(
      t,
      m,
      helsinkiDateTime('2027-06-08', '09:00'),
      [
        { caseId: caseR.id, actions: [{ agencyId: m.police.id, description: 'Osoitemerkintä.', dueDate: '2027-06-18' }, { agencyId: m.social.id, description: 'Turvasuunnitelma.', dueInWorkingDays: 5 }] },
        {
          caseId: caseS.id,
          actions: [
            { agencyId: m.police.id, description: 'Puhelinturvallisuus.', dueDate: '2027-06-30' },
            { agencyId: m.health.id, description: 'Terveysseuranta.', dueDate: '2027-06-30' },
            { agencyId: m.social.id, description: 'Asunnon vaihto.', dueDate: '2027-07-02' },
          ],
        },
      ],
      june,
    );
    const pick = (i: number, agencyId: string) => agreed.actions[i]!.find((x) => x.agencyId === agencyId)!;
    a.P1 = pick(0, m.police.id);
    a.S1 = pick(0, m.social.id);
    a.P2 = pick(1, m.police.id);
    a.H1 = pick(1, m.health.id);
    a.S2 = pick(1, m.social.id);
    await relogin(t, m.coordinator, m.chair, m.reps.police, m.reps.social, m.reps.health, outsider, referrer);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('lets only the owning agency’s representatives and the group’s staff see an action; others get 404', async () => {
    await as(m.reps.social).get(`/api/v1/actions/${a.S1.id}`).expect(200);
    await as(m.coordinator).get(`/api/v1/actions/${a.S1.id}`).expect(200);
    await as(m.chair).get(`/api/v1/actions/${a.S1.id}`).expect(200);
    await as(m.reps.police).get(`/api/v1/actions/${a.S1.id}`).expect(404);
    await as(outsider).get(`/api/v1/actions/${a.P1.id}`).expect(404); // a police officer, but of another group
    await as(m.reps.police).post(`/api/v1/actions/${a.S1.id}/acknowledge`).expect(404);
    await as(m.coordinator).post(`/api/v1/actions/${a.S1.id}/acknowledge`).expect(403); // not an agency's answer
    await as(m.reps.social).post(`/api/v1/actions/${a.S1.id}/reassign`).send({ agencyId: m.health.id, reason: 'x' }).expect(403);
    await as(referrer).get('/api/v1/actions').expect(403);
  });

  it('serves the agency inbox: its own actions by due date, filtered and paginated', async () => {
    const all = await as(m.reps.police).get('/api/v1/actions').expect(200);
    expect(all.body.items.map((x: { id: string }) => x.id)).toEqual([a.P1.id, a.P2.id]);
    expect(all.body.items[0]).toMatchObject({ caseReference: caseR.reference, description: 'Osoitemerkintä.', dueDate: '2027-06-18', status: 'assigned', overdue: false, escalationLevel: 0 });
    const first = await as(m.reps.police).get('/api/v1/actions?limit=1').expect(200);
    expect(first.body.items.map((x: { id: string }) => x.id)).toEqual([a.P1.id]);
    const second = await as(m.reps.police).get(`/api/v1/actions?limit=1&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.items.map((x: { id: string }) => x.id)).toEqual([a.P2.id]);
    expect(second.body.nextCursor).toBeNull();
    expect((await as(m.reps.police).get(`/api/v1/actions?caseId=${caseS.id}`).expect(200)).body.items.map((x: { id: string }) => x.id)).toEqual([a.P2.id]);
    const denied = await as(m.reps.police).get(`/api/v1/actions?agencyId=${m.social.id}`).expect(403);
    expect(denied.headers['content-type']).toMatch(/application\/problem\+json/);
    const group = await as(m.coordinator).get(`/api/v1/actions?caseId=${caseS.id}`).expect(200);
    expect(group.body.items.map((x: { id: string }) => x.id).sort()).toEqual([a.P2.id, a.H1.id, a.S2.id].sort());
    expect((await as(m.coordinator).get(`/api/v1/actions?groupId=${m.group.id}&status=assigned,acknowledged`).expect(200)).body.items).toHaveLength(5);
    const bad = await as(m.coordinator).get('/api/v1/actions?status=done').expect(400);
    expect(bad.body.errors[0].field).toBe('status');
    await as(m.coordinator).get('/api/v1/actions?cursor=nonsense').expect(400);
    await as(m.coordinator).get('/api/v1/actions?overdue=maybe').expect(400);
  });

  it('lets PostgreSQL keep one plan for a one-group inbox page instead of planning it on every call', async () => {
    // The statement the police representative's default page runs (ActionsService.list), on one
    // connection, as the app's pool runs it: a named prepared statement (PreparingClient).
    const page = listActionsQuery({ staffGroups: [], agencyId: m.police.id, repGroups: [m.group.id], userId: m.reps.police.id, filters: {}, today: '2027-01-01', limit: INBOX_PAGE_SIZE + 1 })!; // no overdue filter: today is not used
    const runner = db.createQueryRunner();
    await runner.connect();
    try {
      for (let i = 0; i < 8; i++) {
        const rows: Array<{ id: string }> = await runner.query(page.text, page.values);
        expect(rows.map((r) => r.id)).toEqual([a.P1.id, a.P2.id]);
      }
      // PostgreSQL plans a prepared statement afresh for its first five runs on a connection, then
      // keeps a generic plan if that is estimated no dearer. (The connection may have run it before,
      // for the tests above.) The form with `unnest` and a `LIMIT $n` was planned on every run.
      const [plans] = await runner.query(`SELECT generic_plans::int AS generic FROM pg_prepared_statements WHERE name = $1`, [preparedName(page.text)]);
      expect(plans.generic).toBeGreaterThan(0);
    } finally {
      await runner.release();
    }
  });

  it('lists the agreed actions in the minutes: all of them for the staff, only its own for an agency', async () => {
    const staff = (await as(m.coordinator).get(`/api/v1/conferences/${june}/minutes`).expect(200)).body;
    const all = staff.items.flatMap((i: { actions: Array<{ id: string }> }) => i.actions.map((x) => x.id));
    expect(all.sort()).toEqual(Object.values(a).map((x) => x.id).sort());
    const police = (await as(m.reps.police).get(`/api/v1/conferences/${june}/minutes`).expect(200)).body;
    const theirs = police.items.flatMap((i: { actions: Array<{ id: string; agencyId: string; description: string }> }) => i.actions);
    expect(theirs.map((x: { id: string }) => x.id).sort()).toEqual([a.P1.id, a.P2.id].sort());
    expect(theirs.find((x: { id: string }) => x.id === a.P1.id)).toMatchObject({ agencyId: m.police.id, agencyName: m.police.name, description: 'Osoitemerkintä.', dueDate: '2027-06-18' });
    // The case shows the same: every action to the coordinator, the agency's own to its representative.
    const kase = (await as(m.coordinator).get(`/api/v1/cases/${caseS.id}`).expect(200)).body;
    expect(kase.actions.map((x: { id: string }) => x.id).sort()).toEqual([a.P2.id, a.H1.id, a.S2.id].sort());
    const repView = (await as(m.reps.police).get(`/api/v1/cases/${caseS.id}`).expect(200)).body;
    expect(repView.actions.map((x: { id: string }) => x.id)).toEqual([a.P2.id]);
  });

  it('moves assigned → acknowledged once; a second acknowledgement or a stale version is 409', async () => {
    const ok = await as(m.reps.police).post(`/api/v1/actions/${a.P1.id}/acknowledge`).expect(200);
    expect(ok.body).toMatchObject({ status: 'acknowledged', acknowledgedAt: t.clock.now().toISOString(), version: a.P1.version + 1 });
    const again = await as(m.reps.police).post(`/api/v1/actions/${a.P1.id}/acknowledge`).expect(409);
    expect(again.body.type).toBe(`${PROBLEM}action-wrong-state`);
    const stale = await as(m.reps.police).post(`/api/v1/actions/${a.P2.id}/acknowledge`).set('If-Match', String(a.P2.version + 5)).expect(409);
    expect(stale.body.type).toBe(`${PROBLEM}version-conflict`);
    await as(m.reps.police).post(`/api/v1/actions/${a.P1.id}/complete`).send({}).expect(400); // outcome required
  });

  it('declines with a reason; the coordinator is told and reassigns; the agencies are told; all of it in the history', async () => {
    const declined = await as(m.reps.police).post(`/api/v1/actions/${a.P2.id}/decline`).send({ reason: 'Ei poliisin tehtävä.' }).expect(200);
    expect(declined.body).toMatchObject({ status: 'declined', reason: 'Ei poliisin tehtävä.' });
    const told = await mailTo(m.coordinator.email, /^Toimenpide hylätty/);
    expect(told.subject).toContain(caseS.reference);
    expect(told.text).not.toContain('Ei poliisin');
    await as(m.reps.police).post(`/api/v1/actions/${a.P2.id}/complete`).send({ outcome: 'x' }).expect(409);
    const same = await as(m.coordinator).post(`/api/v1/actions/${a.P2.id}/reassign`).send({ agencyId: m.police.id, reason: 'x' }).expect(422);
    expect(same.body.type).toBe(`${PROBLEM}same-agency`);
    const stranger = await as(m.coordinator).post(`/api/v1/actions/${a.P2.id}/reassign`).send({ agencyId: outsiderAgency.id, reason: 'x' }).expect(422);
    expect(stranger.body.type).toBe(`${PROBLEM}action-agency-not-member`);
    const moved = await as(m.coordinator).post(`/api/v1/actions/${a.P2.id}/reassign`).send({ agencyId: m.health.id, reason: 'Terveydenhuolto hoitaa.' }).expect(200);
    expect(moved.body).toMatchObject({ status: 'assigned', agencyId: m.health.id, acknowledgedAt: null, escalationLevel: 0 });
    await mailTo(m.police.email, /^Toimenpide peruttu/);
    await mailTo(m.health.email, /^Uusi toimenpide/);
    await as(m.reps.police).get(`/api/v1/actions/${a.P2.id}`).expect(404); // no longer theirs
    const history = (await as(m.reps.health).get(`/api/v1/actions/${a.P2.id}`).expect(200)).body.history;
    expect(history.map((e: { event: string; reason: string | null }) => [e.event, e.reason])).toEqual([
      ['assigned', null],
      ['declined', 'Ei poliisin tehtävä.'],
      ['reassigned', 'Terveydenhuolto hoitaa.'],
    ]);
    expect(history[2]).toMatchObject({ actorId: m.coordinator.id, fromStatus: 'declined', toStatus: 'assigned', agencyId: m.health.id });
    const audit = await db.query(`SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id`, [a.P2.id]);
    expect(audit.map((r: { action: string }) => r.action)).toEqual(expect.arrayContaining(['action.create', 'action.decline', 'action.reassign', 'action.read']));
  });

  it('takes a new due date (a Saturday moves to Monday), tells the agency, and moves its reminders', async () => {
    const res = await as(m.chair).patch(`/api/v1/actions/${a.H1.id}`).send({ dueDate: '2027-07-10' }).expect(200);
    expect(res.body.dueDate).toBe('2027-07-12');
    await mailTo(m.health.email, /^Toimenpidettä muutettu/);
    const timers = await db.query(`SELECT kind, fire_at FROM timers WHERE subject_id = $1 AND state = 'pending' AND kind LIKE 'action.due%' ORDER BY fire_at`, [a.H1.id]);
    expect(timers.map((x: { fire_at: Date }) => toHelsinkiDate(x.fire_at))).toEqual(['2027-07-08', '2027-07-12']);
    const past = await as(m.chair).patch(`/api/v1/actions/${a.H1.id}`).send({ dueDate: '2027-06-01' }).expect(422);
    expect(past.body.type).toBe(`${PROBLEM}due-date-in-past`);
    await as(m.chair).patch(`/api/v1/actions/${a.H1.id}`).send({ dueDate: '2027-02-30' }).expect(400);
    await as(m.reps.health).patch(`/api/v1/actions/${a.H1.id}`).send({ dueDate: '2027-07-20' }).expect(403);
  });

  it('records “not possible” apart from “not done”, and tells the coordinator', async () => {
    const res = await as(m.reps.social).post(`/api/v1/actions/${a.S2.id}/not-possible`).send({ reason: 'Uhri muutti toiselle paikkakunnalle.' }).expect(200);
    expect(res.body).toMatchObject({ status: 'not_possible', overdue: false });
    await mailTo(m.coordinator.email, /^Toimenpide ei mahdollinen/);
    const pending = await db.query(`SELECT count(*)::int AS n FROM timers WHERE subject_id = $1 AND state = 'pending'`, [a.S2.id]);
    expect(pending[0].n).toBe(0);
  });

  it('sends the digest group’s police one mail for both of its reminders that day, not one each', async () => {
    await moveClockTo(t, helsinkiDateTime('2027-06-10', '10:00'));
    await relogin(t, m.coordinator, m.chair, m.reps.police, m.reps.social, m.reps.health);
    const digest = await mailTo(digestGroup.police.email, /^MARAK-toimenpiteet: 2/);
    expect(smtp.mails.filter((x) => x.to.includes(digestGroup.police.email) && /^Muistutus: kuittaa/.test(x.subject))).toHaveLength(0);
    const digests = smtp.mails.filter((x) => x.to.includes(digestGroup.police.email) && /^MARAK-toimenpiteet/.test(x.subject));
    expect(digests).toHaveLength(1);
    expect(digest.text).toMatch(/MRK-2027-\d+, MRK-2027-\d+/);
    // The group without the digest got its single reminders: the health action reassigned on 8 June is not acknowledged.
    await mailTo(m.health.email, /^Muistutus: kuittaa toimenpide/);
  });

  it('closes the case by itself when its last action is done, tells the member agencies, and refuses further changes', async () => {
    await as(m.reps.police).post(`/api/v1/actions/${a.P1.id}/complete`).send({ outcome: 'Merkintä tehty.' }).expect(200);
    expect((await as(m.coordinator).get(`/api/v1/cases/${caseR.id}`).expect(200)).body.status).toBe('open');
    const done = await as(m.reps.social).post(`/api/v1/actions/${a.S1.id}/complete`).send({ outcome: 'Suunnitelma tehty.' }).expect(200);
    expect(done.body).toMatchObject({ status: 'completed', completedAt: t.clock.now().toISOString() });
    const kase = await as(m.coordinator).get(`/api/v1/cases/${caseR.id}`).expect(200);
    expect(kase.body).toMatchObject({ status: 'closed', closeReason: 'actions_completed' });
    for (const agency of [m.police, m.social, m.health, m.coordinatorAgency]) {
      await smtp.waitForMail((x) => x.to.includes(agency.email) && x.subject.includes(caseR.reference) && /suljettu/i.test(x.subject));
    }
    const closed = await as(m.reps.social).post(`/api/v1/actions/${a.S1.id}/complete`).send({ outcome: 'x' }).expect(409);
    expect(closed.body.type).toBe(`${PROBLEM}case-closed`);
  });

  it('closes the case when its last two actions are completed at the same moment by two agencies', async () => {
    await relogin(t, digestGroup.reps.social, digestGroup.reps.health, digestGroup.coordinator);
    const rep = (agencyId: string) => (agencyId === digestGroup.social.id ? digestGroup.reps.social : digestGroup.reps.health);
    const results = await Promise.all(twoAgenciesActions.map((x) => as(rep(x.agencyId)).post(`/api/v1/actions/${x.id}/complete`).send({ outcome: 'Tehty.' })));
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    const kase = await as(digestGroup.coordinator).get(`/api/v1/cases/${twoAgencies.id}`).expect(200);
    expect(kase.body).toMatchObject({ status: 'closed', closeReason: 'actions_completed' });
  });

  it('re-opens the closed case on a repeat referral', async () => {
    await relogin(t, referrer);
    await as(m.coordinator).post(`/api/v1/groups/${m.group.id}/conferences`).send({ startsAt: helsinkiDateTime('2027-07-13', '09:00').toISOString() }).expect(201);
    const again = await referAndAccept(aReferralBody(m.group.id, { victim }));
    expect(again.caseId).toBe(caseR.id);
    const kase = await as(m.coordinator).get(`/api/v1/cases/${caseR.id}`).expect(200);
    expect(kase.body).toMatchObject({ status: 'open', isRepeat: true, closeReason: null });
    // On the July agenda again; closed once more (the victim moved away), it leaves that agenda.
    const july = (await as(m.coordinator).get(`/api/v1/groups/${m.group.id}/conferences?from=2027-07-13&to=2027-07-13`).expect(200)).body.items[0];
    const before = (await as(m.coordinator).get(`/api/v1/conferences/${july.id}`).expect(200)).body;
    expect(before.agenda.map((i: { caseId: string }) => i.caseId)).toEqual([caseR.id]);
    await as(m.coordinator).post(`/api/v1/cases/${caseR.id}/close`).send({ reason: 'moved_away' }).expect(200);
    const after = (await as(m.coordinator).get(`/api/v1/conferences/${july.id}`).expect(200)).body;
    expect(after.agenda).toEqual([]);
    expect(after.version).toBe(before.version + 1);
  });

  it('cancels the open actions of a case the coordinator closes (consent withdrawn), and stops their timers', async () => {
    await as(m.coordinator).post(`/api/v1/cases/${caseS.id}/close`).send({ reason: 'consent_withdrawn' }).expect(200);
    const list = (await as(m.coordinator).get(`/api/v1/actions?caseId=${caseS.id}`).expect(200)).body.items;
    expect(Object.fromEntries(list.map((x: { id: string; status: string }) => [x.id, x.status]))).toEqual({ [a.P2.id]: 'cancelled', [a.H1.id]: 'cancelled', [a.S2.id]: 'not_possible' });
    const pending = await db.query(`SELECT count(*)::int AS n FROM timers WHERE subject_id = ANY($1::uuid[]) AND state = 'pending'`, [[a.P2.id, a.H1.id]]);
    expect(pending[0].n).toBe(0);
    const cancel = await as(m.coordinator).post(`/api/v1/actions/${a.H1.id}/cancel`).send({ reason: 'x' }).expect(409);
    expect(cancel.body.type).toBe(`${PROBLEM}case-closed`);
  });

  it('merges the inbox of someone who is staff of one group and a representative in another, by due date, across pages', async () => {
    // Coordinator of the digest group (all of its actions) and police representative in the other
    // (only the police's). Last in the story: the police join the digest group for it.
    await t.renewAdmin();
    await t.admin.put(`/api/v1/groups/${digestGroup.group.id}/agencies/${m.police.id}`).expect(200);
    await relogin(t, digestGroup.coordinator, m.reps.police);
    const both = await aUser(t, m.police.id, [{ role: 'coordinator', groupId: digestGroup.group.id }, { role: 'agency_rep', groupId: m.group.id }]);
    type Item = { id: string; dueDate: string; agencyId: string; groupId: string };
    const staffPart: Item[] = (await as(digestGroup.coordinator).get(`/api/v1/actions?groupId=${digestGroup.group.id}`).expect(200)).body.items;
    const repPart: Item[] = (await as(m.reps.police).get('/api/v1/actions').expect(200)).body.items;
    const expected = [...staffPart, ...repPart]
      .sort((x, y) => (x.dueDate === y.dueDate ? (x.id < y.id ? -1 : 1) : x.dueDate < y.dueDate ? -1 : 1))
      .map((x) => x.id);
    expect(staffPart.length).toBeGreaterThan(1);
    expect(repPart.length).toBeGreaterThan(0);
    const all = (await as(both).get('/api/v1/actions').expect(200)).body.items as Item[];
    expect(all.map((x) => x.id)).toEqual(expected);
    expect(all.filter((x) => x.groupId === m.group.id).every((x) => x.agencyId === m.police.id)).toBe(true);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Item[]; nextCursor: string | null } } = await as(both).get(`/api/v1/actions?limit=2${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      paged.push(...res.body.items.map((x) => x.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(expected);
    expect((await as(both).get(`/api/v1/actions?groupId=${m.group.id}`).expect(200)).body.items.map((x: Item) => x.id)).toEqual(repPart.map((x) => x.id));
  });
});
