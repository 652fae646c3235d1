import { DataSource } from 'typeorm';
import { CasesService } from '../../src/modules/cases/cases.service.js';
import { aGroup, aUser, anAgency, type TestUser } from '../harness/factories.js';
import { aReferralBody } from '../harness/referrals.js';
import { SmtpCatcher, type CaughtMail } from '../harness/smtp-catcher.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

const P = (slug: string) => `https://marak.example/problems/${slug}`;

/**
 * Cases after acceptance (API.md, Cases): the advocate, restriction, the victim's views and
 * closure. Every case here is opened through the API: referral submitted and accepted.
 */
describe('cases: advocate, restriction, victim views, closure', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;
  let db: DataSource;
  let police: { id: string; email: string };
  let social: { id: string; email: string };
  let shelter: { id: string; email: string };
  let outside: { id: string; email: string };
  let group: { id: string };
  let referrer: TestUser;
  let coordinator: TestUser;
  let chair: TestUser;
  let chair2: TestUser;
  let rep: TestUser;
  let advocate: TestUser;
  let shelterRep: TestUser;
  let outsideWorker: TestUser;
  let otherCoordinator: TestUser;
  let conference: { id: string; version: number };
  let viewsBeforePublish: { id: string; reference: string };

  const as = (u: TestUser) => t.as(u.accessToken);
  const auditRows = (caseId: string, action: string) =>
    db.query(`SELECT action, subject_ids, details FROM audit_log WHERE object_id = $1 AND action = $2 ORDER BY seq`, [caseId, action]);
  const CLOSED = /^Tapaus suljettu: /;
  const PERSONAL = /Testi|Uhri\d|Keksitty|Tekijä|kuristamista|Käyttäjä|\+358/;
  const noPersonalData = (m: CaughtMail) => expect([m.subject, m.text, m.html].join('\n')).not.toMatch(PERSONAL);

  /** An accepted case: a referral drafted, submitted and accepted through the API. */
  async function aCase(): Promise<{ id: string; reference: string; version: number }> {
    const d = await as(referrer).post('/api/v1/referrals').send(aReferralBody(group.id));
    if (d.status !== 201) throw new Error(`draft: ${d.status} ${JSON.stringify(d.body)}`);
    const s = await as(referrer).post(`/api/v1/referrals/${d.body.id}/submit`).send({});
    if (s.status !== 200) throw new Error(`submit: ${s.status} ${JSON.stringify(s.body)}`);
    const a = await as(coordinator).post(`/api/v1/referrals/${d.body.id}/accept`).send({});
    if (a.status !== 200) throw new Error(`accept: ${a.status} ${JSON.stringify(a.body)}`);
    const c = (await as(coordinator).get(`/api/v1/cases/${a.body.caseId}`).expect(200)).body;
    return { id: c.id, reference: c.reference, version: c.version };
  }

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
    db = t.app.get(DataSource);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z')); // Monday 10:00 Helsinki
    await t.renewAdmin();
    police = (await anAgency(t, { kind: 'police' })) as unknown as typeof police;
    social = (await anAgency(t, { kind: 'social_services' })) as unknown as typeof social;
    shelter = (await anAgency(t, { kind: 'victim_support' })) as unknown as typeof shelter;
    outside = (await anAgency(t, { kind: 'housing' })) as unknown as typeof outside;
    group = await aGroup(t, [police.id, social.id, shelter.id]);
    const otherGroup = await aGroup(t, [outside.id]);
    referrer = await aUser(t, police.id, [{ role: 'referrer', groupId: group.id }]);
    coordinator = await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }]);
    chair = await aUser(t, police.id, [{ role: 'chair', groupId: group.id }]);
    chair2 = await aUser(t, social.id, [{ role: 'chair', groupId: group.id }]);
    rep = await aUser(t, police.id, [{ role: 'agency_rep', groupId: group.id }]);
    advocate = await aUser(t, shelter.id, [{ role: 'agency_rep', groupId: group.id }]);
    shelterRep = await aUser(t, shelter.id, [{ role: 'agency_rep', groupId: group.id }]);
    outsideWorker = await aUser(t, outside.id, [{ role: 'agency_rep', groupId: otherGroup.id }]);
    otherCoordinator = await aUser(t, outside.id, [{ role: 'coordinator', groupId: otherGroup.id }]);
    conference = (await as(coordinator).post(`/api/v1/groups/${group.id}/conferences`).send({ startsAt: '2027-03-23T07:00:00.000Z' }).expect(201)).body;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  describe('PUT /cases/:id/advocate', () => {
    it('names the advocate agency and worker (coordinator): version bumped, audited', async () => {
      const c = await aCase();
      const res = await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).set('If-Match', String(c.version)).send({ agencyId: shelter.id, userId: advocate.id }).expect(200);
      expect(res.body).toMatchObject({ id: c.id, advocate: { agencyId: shelter.id, userId: advocate.id }, version: c.version + 1 });
      const [row] = await auditRows(c.id, 'case.advocate.set');
      expect(row.details).toMatchObject({ caseRef: c.reference, agencyId: shelter.id, userId: advocate.id });
      // The named advocate sees the case now.
      await as(advocate).get(`/api/v1/cases/${c.id}`).expect(200);
    });

    it('names an agency without a worker', async () => {
      const c = await aCase();
      const res = await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id }).expect(200);
      expect(res.body.advocate).toEqual({ agencyId: shelter.id, userId: null });
    });

    it('refuses a chair (403), a rep (403), another group’s coordinator (404), a stale If-Match (409)', async () => {
      const c = await aCase();
      expect((await as(chair).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id }).expect(403)).body.type).toBe(P('not-coordinator'));
      await as(rep).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id }).expect(403);
      await as(otherCoordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id }).expect(404);
      const stale = await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).set('If-Match', String(c.version + 5)).send({ agencyId: shelter.id }).expect(409);
      expect(stale.body.type).toBe(P('version-conflict'));
    });

    it('refuses an agency outside the group, or a worker of another agency, with 422 naming no one', async () => {
      const c = await aCase();
      const notMember = await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: outside.id }).expect(422);
      expect(notMember.body.type).toBe(P('advocate-agency-not-member'));
      const wrongUser = await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id, userId: rep.id }).expect(422);
      expect(wrongUser.body.type).toBe(P('advocate-user-invalid'));
      expect(JSON.stringify(wrongUser.body)).not.toContain(rep.email);
      await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: 'nope' }).expect(400);
    });
  });

  describe('restriction', () => {
    it('restricts the case to the named people and the coordinator; others get 404; lifting it opens it again', async () => {
      const c = await aCase();
      const res = await as(coordinator).put(`/api/v1/cases/${c.id}/restriction`).send({ userIds: [chair.id] }).expect(200);
      expect(res.body).toMatchObject({ restricted: true, version: c.version + 1 });
      const [raw] = await db.query(`SELECT restricted_to FROM cases WHERE id = $1`, [c.id]);
      expect([...raw.restricted_to].sort()).toEqual([chair.id, coordinator.id].sort());
      await as(chair).get(`/api/v1/cases/${c.id}`).expect(200);
      await as(chair2).get(`/api/v1/cases/${c.id}`).expect(404);
      await as(referrer).get(`/api/v1/cases/${c.id}`).expect(404);
      const list = (await as(chair2).get(`/api/v1/cases?groupId=${group.id}`).expect(200)).body.items.map((i: { id: string }) => i.id);
      expect(list).not.toContain(c.id);
      // Not named: not visible for closing either.
      await as(chair2).post(`/api/v1/cases/${c.id}/close`).send({ reason: 'other' }).expect(404);
      expect((await auditRows(c.id, 'case.restrict'))[0].details).toMatchObject({ restricted: true, count: 2 });

      const lifted = await as(coordinator).delete(`/api/v1/cases/${c.id}/restriction`).set('If-Match', String(c.version + 1)).expect(200);
      expect(lifted.body).toMatchObject({ restricted: false, version: c.version + 2 });
      await as(chair2).get(`/api/v1/cases/${c.id}`).expect(200);
      expect(await auditRows(c.id, 'case.unrestrict')).toHaveLength(1);
      expect((await as(coordinator).delete(`/api/v1/cases/${c.id}/restriction`).expect(409)).body.type).toBe(P('case-not-restricted'));
    });

    it('is the coordinator’s: a chair gets 403, an unknown user 422', async () => {
      const c = await aCase();
      await as(chair).put(`/api/v1/cases/${c.id}/restriction`).send({ userIds: [chair.id] }).expect(403);
      await as(chair).delete(`/api/v1/cases/${c.id}/restriction`).expect(403);
      const unknown = await as(coordinator).put(`/api/v1/cases/${c.id}/restriction`).send({ userIds: ['00000000-0000-4000-8000-000000000000'] }).expect(422);
      expect(unknown.body.type).toBe(P('restriction-user-invalid'));
      await as(coordinator).put(`/api/v1/cases/${c.id}/restriction`).send({ userIds: ['x'] }).expect(400);
    });
  });

  describe('POST /cases/:id/victim-views', () => {
    it('lets the named advocate record views, encrypted at rest, shown to the chair in GET /cases/:id', async () => {
      const c = await aCase();
      viewsBeforePublish = c;
      await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id, userId: advocate.id }).expect(200);
      const since = t.clock.now();
      const cases = t.app.get(CasesService);
      expect(await cases.hasVictimViewsSince(db.manager, c.id, since)).toBe(false);
      const res = await as(advocate).post(`/api/v1/cases/${c.id}/victim-views`).send({ views: 'Uhri pelkää entistä puolisoaan.', wishes: 'Haluaa turvakotipaikan.' }).expect(201);
      expect(res.body).toMatchObject({ caseId: c.id, recordedBy: advocate.id });
      expect(await cases.hasVictimViewsSince(db.manager, c.id, since)).toBe(true);
      expect(await cases.hasVictimViewsSince(db.manager, c.id, new Date(since.getTime() + 1000))).toBe(false);

      const [raw] = await db.query(`SELECT * FROM victim_views WHERE case_id = $1`, [c.id]);
      const bytes = JSON.stringify(raw) + Object.values(raw).filter(Buffer.isBuffer).map((b) => (b as Buffer).toString('latin1')).join('');
      expect(bytes).not.toContain('pelkää');
      expect(bytes).not.toContain('turvakotipaikan');

      const view = (await as(chair).get(`/api/v1/cases/${c.id}`).expect(200)).body;
      expect(view.victimViews).toEqual([{ views: 'Uhri pelkää entistä puolisoaan.', wishes: 'Haluaa turvakotipaikan.', recordedAt: res.body.recordedAt, recordedBy: advocate.id }]);
      const [audit] = await auditRows(c.id, 'case.victim-views.record');
      const [victim] = await db.query(`SELECT victim_id FROM cases WHERE id = $1`, [c.id]);
      expect(audit.subject_ids).toEqual([victim.victim_id]);
      expect(JSON.stringify(audit.details)).not.toMatch(/pelkää|turvakoti/);
    });

    it('lets a worker of the advocate agency record them when no worker is named', async () => {
      const c = await aCase();
      await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id }).expect(200);
      await as(shelterRep).post(`/api/v1/cases/${c.id}/victim-views`).send({ views: 'Näkemykset kirjattu.' }).expect(201);
      const view = (await as(coordinator).get(`/api/v1/cases/${c.id}`).expect(200)).body;
      expect(view.victimViews).toEqual([expect.objectContaining({ views: 'Näkemykset kirjattu.', wishes: null, recordedBy: shelterRep.id })]);
    });

    it('shows several recorded views oldest first, each with its own wishes or none', async () => {
      const c = await aCase();
      await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id }).expect(200);
      await as(shelterRep).post(`/api/v1/cases/${c.id}/victim-views`).send({ views: 'Ensimmäinen kirjaus.', wishes: 'Ensimmäinen toive.' }).expect(201);
      t.clock.set(new Date(t.clock.now().getTime() + 60_000));
      await as(shelterRep).post(`/api/v1/cases/${c.id}/victim-views`).send({ views: 'Toinen kirjaus.' }).expect(201);
      t.clock.set(new Date(t.clock.now().getTime() + 60_000));
      await as(shelterRep).post(`/api/v1/cases/${c.id}/victim-views`).send({ views: 'Kolmas kirjaus.', wishes: 'Kolmas toive.' }).expect(201);
      const view = (await as(coordinator).get(`/api/v1/cases/${c.id}`).expect(200)).body;
      expect(view.victimViews.map((v: { views: string; wishes: string | null }) => [v.views, v.wishes])).toEqual([
        ['Ensimmäinen kirjaus.', 'Ensimmäinen toive.'],
        ['Toinen kirjaus.', null],
        ['Kolmas kirjaus.', 'Kolmas toive.'],
      ]);
      const times = view.victimViews.map((v: { recordedAt: string }) => Date.parse(v.recordedAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    });

    it('refuses others: the chair 403, another worker of the agency when one is named 404, a non-member 404, an empty body 400', async () => {
      const c = await aCase();
      await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id, userId: advocate.id }).expect(200);
      expect((await as(chair).post(`/api/v1/cases/${c.id}/victim-views`).send({ views: 'x' }).expect(403)).body.type).toBe(P('not-the-advocate'));
      await as(shelterRep).post(`/api/v1/cases/${c.id}/victim-views`).send({ views: 'x' }).expect(404);
      await as(outsideWorker).post(`/api/v1/cases/${c.id}/victim-views`).send({ views: 'x' }).expect(404);
      await as(advocate).post(`/api/v1/cases/${c.id}/victim-views`).send({}).expect(400);
      expect(await db.query(`SELECT 1 FROM victim_views WHERE case_id = $1`, [c.id])).toHaveLength(0);
    });
  });

  describe('POST /cases/:id/close', () => {
    it('closes on withdrawn consent (chair): note encrypted, every member agency told without detail, audited; 409 again', async () => {
      const c = await aCase();
      const before = smtp.mails.length;
      const res = await as(chair).post(`/api/v1/cases/${c.id}/close`).set('If-Match', String(c.version)).send({ reason: 'consent_withdrawn', note: 'Uhri peruutti suostumuksensa puhelimessa.' }).expect(200);
      expect(res.body).toMatchObject({ id: c.id, status: 'closed', closeReason: 'consent_withdrawn', closedAt: expect.any(String), version: c.version + 1 });

      const [raw] = await db.query(`SELECT * FROM cases WHERE id = $1`, [c.id]);
      const bytes = JSON.stringify(raw) + Object.values(raw).filter(Buffer.isBuffer).map((b) => (b as Buffer).toString('latin1')).join('');
      expect(raw.close_note_enc).toBeInstanceOf(Buffer);
      expect(bytes).not.toContain('suostumuksensa');

      for (const agency of [police, social, shelter]) {
        const mail = await smtp.waitForMail((m) => m.to.includes(agency.email) && CLOSED.test(m.subject) && m.subject.includes(c.reference));
        expect(mail.text).toContain(`/cases/${c.id}`);
        noPersonalData(mail);
        expect(mail.text).not.toContain('suostumuksensa');
      }
      await new Promise((r) => setTimeout(r, 300));
      const mine = smtp.mails.slice(before).filter((m) => CLOSED.test(m.subject) && m.subject.includes(c.reference));
      expect(mine).toHaveLength(3);
      expect(mine.some((m) => m.to.includes(outside.email))).toBe(false);

      const [close] = await auditRows(c.id, 'case.close');
      expect(close.details).toMatchObject({ caseRef: c.reference, reasonCode: 'consent_withdrawn', toState: 'closed' });
      const [withdrawn] = await auditRows(c.id, 'case.consent-withdrawn');
      expect(withdrawn.details).toMatchObject({ result: 'success' });

      const again = await as(coordinator).post(`/api/v1/cases/${c.id}/close`).send({ reason: 'other' }).expect(409);
      expect(again.body.type).toBe(P('case-already-closed'));
      // A closed case takes no more advocates.
      await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id }).expect(409);
    });

    it('refuses a rep (403), another group’s coordinator (404), a bad reason (400), a stale version (409)', async () => {
      const c = await aCase();
      await as(rep).post(`/api/v1/cases/${c.id}/close`).send({ reason: 'other' }).expect(403);
      await as(otherCoordinator).post(`/api/v1/cases/${c.id}/close`).send({ reason: 'other' }).expect(404);
      await as(coordinator).post(`/api/v1/cases/${c.id}/close`).send({ reason: 'bored' }).expect(400);
      await as(coordinator).post(`/api/v1/cases/${c.id}/close`).set('If-Match', String(c.version + 3)).send({ reason: 'other' }).expect(409);
      const ok = await as(coordinator).post(`/api/v1/cases/${c.id}/close`).send({ reason: 'actions_completed' }).expect(200);
      expect(ok.body.status).toBe('closed');
      expect(await auditRows(c.id, 'case.consent-withdrawn')).toHaveLength(0);
    });
  });
  // Last: moving the clock ends everyone's access tokens.
  it('does not remind the advocate whose victim’s views were recorded after the agenda was published', async () => {
    const c = await aCase();
    await as(coordinator).put(`/api/v1/cases/${c.id}/advocate`).send({ agencyId: shelter.id, userId: advocate.id }).expect(200);
    t.clock.set(new Date(t.clock.now().getTime() + 60_000)); // the views above were recorded a minute before publishing
    const current = (await as(coordinator).get(`/api/v1/conferences/${conference.id}`).expect(200)).body;
    await as(coordinator).post(`/api/v1/conferences/${conference.id}/publish`).set('If-Match', String(current.version)).expect(200);
    t.clock.set(new Date(t.clock.now().getTime() + 60_000)); // a minute after publishing
    await as(advocate).post(`/api/v1/cases/${c.id}/victim-views`).send({ views: 'Kirjattu julkaisun jälkeen.' }).expect(201);
    // Thursday 18 March, 09:00 Helsinki: three working days before Tuesday 23 March.
    await t.admin.post('/api/v1/test/clock').send({ now: '2027-03-18T07:30:00.000Z' }).expect(200);
    await t.renewAdmin();
    const VIEWS = /uhrin näkemykset/;
    // Views recorded before publishing do not answer the reminder.
    const reminded = await smtp.waitForMail((m) => m.to.includes(shelter.email) && VIEWS.test(m.subject) && m.subject.includes(viewsBeforePublish.reference));
    noPersonalData(reminded);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.filter((m) => VIEWS.test(m.subject) && m.subject.includes(c.reference))).toHaveLength(0);
  });
});
