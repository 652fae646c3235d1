import { DataSource } from 'typeorm';
import { REFERENCE_SQL, formatReference } from '../../src/modules/referrals/referral-state.js';
import { aGroup, aUser, anAgency, type TestUser } from '../harness/factories.js';
import { aReferralBody, aVictim, answers } from '../harness/referrals.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

const P = (slug: string) => `https://marak.example/problems/${slug}`;

describe('referrals: from a worried professional to an accepted case', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;
  let db: DataSource;
  let group: { id: string };
  let otherGroup: { id: string };
  let police: { id: string };
  let social: { id: string };
  let referrer: TestUser;
  let otherReferrer: TestUser;
  let coordinator: TestUser;
  let coordinator2: TestUser;
  let chair: TestUser;
  let rep: TestUser;
  let otherCoordinator: TestUser;

  const as = (u: TestUser) => t.as(u.accessToken);
  const mailsTo = (email: string) => smtp.mails.filter((m) => m.to.includes(email));

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
    db = t.app.get(DataSource);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z')); // Monday 10:00 Helsinki
    await t.renewAdmin();
    police = await anAgency(t, { kind: 'police' });
    social = await anAgency(t, { kind: 'social_services' });
    const housing = await anAgency(t, { kind: 'housing' });
    group = await aGroup(t, [police.id, social.id]);
    otherGroup = await aGroup(t, [housing.id]);
    referrer = await aUser(t, police.id, [{ role: 'referrer', groupId: group.id }]);
    otherReferrer = await aUser(t, police.id, [{ role: 'referrer', groupId: group.id }]);
    coordinator = await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }]);
    coordinator2 = await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }]);
    chair = await aUser(t, police.id, [{ role: 'chair', groupId: group.id }]);
    rep = await aUser(t, police.id, [{ role: 'agency_rep', groupId: group.id }]);
    otherCoordinator = await aUser(t, housing.id, [{ role: 'coordinator', groupId: otherGroup.id }]);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  async function draft(body: object = aReferralBody(group.id), who = referrer) {
    const res = await as(who).post('/api/v1/referrals').send(body);
    if (res.status !== 201) throw new Error(`draft: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
  async function submitted(body: object = aReferralBody(group.id)) {
    const d = await draft(body);
    const res = await as(referrer).post(`/api/v1/referrals/${d.id}/submit`).send({});
    if (res.status !== 200) throw new Error(`submit: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  it('serves the risk form in the asked language', async () => {
    const list = await as(referrer).get('/api/v1/risk-forms').expect(200);
    expect(list.body).toEqual([expect.objectContaining({ code: 'marak', version: 1, threshold: 14, questionCount: 24 })]);
    const fi = await as(referrer).get('/api/v1/risk-forms/marak').set('Accept-Language', 'fi').expect(200);
    const en = await as(referrer).get('/api/v1/risk-forms/marak').set('Accept-Language', 'en').expect(200);
    expect(fi.body.questions).toHaveLength(24);
    expect(fi.body.questions[0].id).toBe(en.body.questions[0].id);
    expect(fi.body.questions[0].text).not.toBe(en.body.questions[0].text);
  });

  it('saves a draft, submits it with a reference, a score and the grounds, and tells the coordinators', async () => {
    const d = await draft();
    expect(d).toMatchObject({ status: 'draft', reference: null, assessment: { score: 15, threshold: 14 }, victim: { firstName: 'Testi' } });
    const s = (await as(referrer).post(`/api/v1/referrals/${d.id}/submit`).send({}).expect(200)).body;
    expect(s.status).toBe('submitted');
    expect(s.reference).toMatch(/^MRK-2027-\d{5}$/);
    expect(s.eligibility).toEqual({ eligible: true, grounds: ['score'] });
    const mails = await smtp.waitForMails(2);
    const forCoordinators = mails.filter((m) => m.subject.includes(s.reference));
    expect(forCoordinators.map((m) => m.to[0]).sort()).toEqual([coordinator.email, coordinator2.email].sort());
    for (const m of forCoordinators) {
      expect(m.text).toContain(`https://marak.test/referrals/${d.id}`);
      expect(`${m.subject} ${m.text} ${m.html}`).not.toMatch(/Testi|Uhri|Keksitty|kuristamista/);
    }
  });

  it('keeps every personal field encrypted at rest', async () => {
    const d = await draft();
    const [row] = await db.query(`SELECT * FROM referrals WHERE id = $1`, [d.id]);
    const bytes = JSON.stringify(row) + Object.values(row).filter(Buffer.isBuffer).map((b) => (b as Buffer).toString('latin1')).join('');
    expect(bytes).not.toContain('kuristamista');
    expect(bytes).not.toContain('threats-to-kill');
  });

  it('refuses without consent when the group requires it, naming the professionals’ own duties', async () => {
    const d = await draft(aReferralBody(group.id, { consent: { status: 'refused' } }));
    const res = await as(referrer).post(`/api/v1/referrals/${d.id}/submit`).send({}).expect(422);
    expect(res.body.type).toBe(P('consent-required'));
    expect(res.body.detail).toMatch(/child welfare notification/);
  });

  it('refuses a referral on which no ground holds, with the grounds it checked', async () => {
    const d = await draft(aReferralBody(group.id, { riskAssessment: { formCode: 'marak', answers: answers(13) } }));
    const res = await as(referrer).post(`/api/v1/referrals/${d.id}/submit`).send({}).expect(422);
    expect(res.body.type).toBe(P('not-eligible'));
    expect(res.body.checked.map((c: { ground: string; held: boolean }) => [c.ground, c.held])).toEqual([
      ['score', false], ['professional_judgement', false], ['escalation', false], ['repeat', false],
    ]);
    const after = (await as(referrer).get(`/api/v1/referrals/${d.id}`).expect(200)).body;
    expect(after.status).toBe('draft');
  });

  it('accepts a referral below the threshold on professional judgement or escalation', async () => {
    const judged = await submitted(aReferralBody(group.id, { riskAssessment: { formCode: 'marak', answers: answers(6) }, grounds: { professionalJudgement: 'Tekijä on uhannut tappaa uhrin veitsellä eilen illalla.' } }));
    expect(judged.eligibility.grounds).toEqual(['professional_judgement']);
    const escalated = await submitted(aReferralBody(group.id, { riskAssessment: { formCode: 'marak', answers: answers(2) }, grounds: { incidents12Months: 3 } }));
    expect(escalated.eligibility.grounds).toEqual(['escalation']);
  });

  it('requires the child welfare notification status when children are listed', async () => {
    const d = await draft(aReferralBody(group.id, { children: [{ firstName: 'Lapsi', birthDate: '2018-05-05', livesWithVictim: true }] }));
    const res = await as(referrer).post(`/api/v1/referrals/${d.id}/submit`).send({}).expect(422);
    expect(res.body.type).toBe(P('child-welfare-notification-required'));
  });

  it('refuses an identity code whose checksum fails with 400, not echoing it', async () => {
    const res = await as(referrer).post('/api/v1/referrals').send(aReferralBody(group.id, { victim: aVictim({ identityCode: '010190-900A' }) })).expect(400);
    expect(res.body.type).toBe(P('invalid-identity-code'));
    expect(JSON.stringify(res.body)).not.toContain('010190');
  });

  it('refuses a body without its required parts, or a forged cursor, with 400 (never 500)', async () => {
    for (const part of ['victim', 'riskAssessment', 'grounds', 'consent']) {
      const body: Record<string, unknown> = aReferralBody(group.id);
      delete body[part];
      const res = await as(referrer).post('/api/v1/referrals').send(body).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(part);
    }
    const forged = Buffer.from(JSON.stringify({ createdAt: '2026-13-45', id: '00000000-0000-0000-0000-000000000000' })).toString('base64url');
    await as(referrer).get('/api/v1/referrals').query({ cursor: forged }).expect(400);
  });

  it('screens with the form the group names in its settings', async () => {
    await t.admin.patch(`/api/v1/groups/${otherGroup.id}/settings`).send({ riskFormCode: 'no-such-form' }).expect(400);
    const [g] = await db.query(`SELECT settings FROM groups WHERE id = $1`, [group.id]);
    // Only one form exists; a group set to another (as a later form version would be) refuses this one.
    await db.query(`UPDATE groups SET settings = jsonb_set(settings, '{riskFormCode}', '"marak-2028"') WHERE id = $1`, [group.id]);
    try {
      const res = await as(referrer).post('/api/v1/referrals').send(aReferralBody(group.id)).expect(422);
      expect(res.body.type).toBe(P('risk-form-not-used-by-group'));
    } finally {
      await db.query(`UPDATE groups SET settings = $2 WHERE id = $1`, [group.id, g.settings]);
    }
  });

  it('answers 409 from the wrong state', async () => {
    const s = await submitted();
    const again = await as(referrer).post(`/api/v1/referrals/${s.id}/submit`).send({}).expect(409);
    expect(again.body.type).toBe(P('referral-not-submittable'));
    await as(referrer).patch(`/api/v1/referrals/${s.id}`).send(aReferralBody(group.id)).expect(409);
  });

  it('shows a referral to its author and the group’s coordinators and chair only (404 to others)', async () => {
    const d = await draft();
    await as(referrer).get(`/api/v1/referrals/${d.id}`).expect(200);
    // A draft is the referrer's own work until submitted.
    await as(chair).get(`/api/v1/referrals/${d.id}`).expect(404);
    await as(referrer).post(`/api/v1/referrals/${d.id}/submit`).send({}).expect(200);
    await as(chair).get(`/api/v1/referrals/${d.id}`).expect(200);
    await as(otherReferrer).get(`/api/v1/referrals/${d.id}`).expect(404);
    await as(otherCoordinator).get(`/api/v1/referrals/${d.id}`).expect(404);
    await as(rep).get(`/api/v1/referrals/${d.id}`).expect(404);
    const list = (await as(otherReferrer).get('/api/v1/referrals').expect(200)).body.items.map((r: { id: string }) => r.id);
    expect(list).not.toContain(d.id);
    await as(otherReferrer).patch(`/api/v1/referrals/${d.id}`).send(aReferralBody(group.id)).expect(404);
  });

  it('lets only the coordinator triage: an agency rep or the referrer gets 403', async () => {
    const s = await submitted();
    await as(rep).post(`/api/v1/referrals/${s.id}/decline`).send({ reason: 'x' }).expect(403);
    await as(referrer).post(`/api/v1/referrals/${s.id}/return`).send({ reason: 'x' }).expect(403);
    await as(otherCoordinator).post(`/api/v1/referrals/${s.id}/return`).send({ reason: 'x' }).expect(404);
  });

  it('returns a retried creation or submission with the same Idempotency-Key once', async () => {
    const body = aReferralBody(group.id);
    const first = await as(referrer).post('/api/v1/referrals').set('Idempotency-Key', 'create-once-1').send(body).expect(201);
    const again = await as(referrer).post('/api/v1/referrals').set('Idempotency-Key', 'create-once-1').send(body).expect(201);
    expect(again.body.id).toBe(first.body.id);
    const s1 = await as(referrer).post(`/api/v1/referrals/${first.body.id}/submit`).set('Idempotency-Key', 'submit-once-1').send({}).expect(200);
    const s2 = await as(referrer).post(`/api/v1/referrals/${first.body.id}/submit`).set('Idempotency-Key', 'submit-once-1').send({}).expect(200);
    expect(s2.body.reference).toBe(s1.body.reference);
    expect(s2.headers['idempotent-replayed']).toBe('true');
  });

  it('allocates references without gaps under concurrent submissions', async () => {
    const drafts = await Promise.all(Array.from({ length: 8 }, () => draft()));
    const results = await Promise.all(drafts.map((d) => as(referrer).post(`/api/v1/referrals/${d.id}/submit`).send({})));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const all: string[] = (await db.query(`SELECT reference FROM referrals WHERE reference IS NOT NULL ORDER BY reference`)).map((r: { reference: string }) => r.reference);
    const numbers = all.map((r) => Number(r.split('-')[2]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it('writes the reference in SQL exactly as formatReference does, never cutting a long number', async () => {
    const cases: Array<[number, number]> = [[2026, 1], [2026, 42], [2027, 99999], [2027, 100000], [2030, 1234567]];
    const rows: Array<{ ref: string }> = await db.query(
      `SELECT ${REFERENCE_SQL} AS ref FROM unnest($1::int[], $2::bigint[]) WITH ORDINALITY AS n(year, last, i) ORDER BY i`,
      [cases.map((c) => c[0]), cases.map((c) => c[1])],
    );
    expect(rows.map((r) => r.ref)).toEqual(cases.map(([year, n]) => formatReference(year, n)));
  });

  it('returns a referral for more information: the author is told without detail and can resubmit it', async () => {
    const s = await submitted();
    const ret = await as(coordinator).post(`/api/v1/referrals/${s.id}/return`).send({ reason: 'Lisää tiedot lapsista' }).expect(200);
    expect(ret.body).toMatchObject({ status: 'returned', reason: 'Lisää tiedot lapsista' });
    const mail = await smtp.waitForMail((m) => m.to.includes(referrer.email) && m.subject.includes(s.reference) && /returned|palautettu/i.test(m.subject));
    expect(mail.text).not.toContain('lapsista');
    const again = await as(referrer).post(`/api/v1/referrals/${s.id}/submit`).send({}).expect(200);
    expect(again.body.reference).toBe(s.reference);
  });

  it('lets the author edit a draft with optimistic locking; the old people are destroyed', async () => {
    const d = await draft();
    const edited = await as(referrer).patch(`/api/v1/referrals/${d.id}`).set('If-Match', String(d.version)).send(aReferralBody(group.id, { summary: 'Korjattu kuvaus.', riskAssessment: { formCode: 'marak', answers: answers(16) } })).expect(200);
    expect(edited.body).toMatchObject({ summary: 'Korjattu kuvaus.', assessment: { score: 16 }, version: d.version + 1 });
    await as(referrer).patch(`/api/v1/referrals/${d.id}`).set('If-Match', String(d.version)).send(aReferralBody(group.id)).expect(409);
    const [before] = await db.query(`SELECT anonymised_at, first_name_enc FROM people WHERE id = $1`, [d.victim.id]);
    expect(before.anonymised_at).not.toBeNull();
    expect(before.first_name_enc).toBeNull();
  });

  it('declines and withdraws from the right states only', async () => {
    const s = await submitted();
    await as(coordinator).post(`/api/v1/referrals/${s.id}/decline`).send({ reason: 'Ei MARAK-tapaus' }).expect(200);
    await as(referrer).post(`/api/v1/referrals/${s.id}/withdraw`).send({ reason: 'x' }).expect(409);
    const d = await draft();
    await as(referrer).post(`/api/v1/referrals/${d.id}/withdraw`).send({ reason: 'Tehty vahingossa' }).expect(200);
  });

  it('flags a victim known in another group without telling which or what', async () => {
    const victim = aVictim();
    // The same person referred in the other group first (by its member agency's worker).
    const housingAgency = (await t.admin.get(`/api/v1/groups/${otherGroup.id}`).expect(200)).body.agencyIds[0];
    const otherWorker = await aUser(t, housingAgency, [{ role: 'referrer', groupId: otherGroup.id }]);
    const elsewhere = (await as(otherWorker).post('/api/v1/referrals').send(aReferralBody(otherGroup.id, { victim })).expect(201)).body;
    // A mere draft in the other group says nothing.
    const first = await submitted(aReferralBody(group.id, { victim }));
    expect((await as(coordinator).get(`/api/v1/referrals/${first.id}`).expect(200)).body.knownInOtherGroup).toBe(false);
    await as(otherWorker).post(`/api/v1/referrals/${elsewhere.id}/submit`).send({}).expect(200);
    const s = await submitted(aReferralBody(group.id, { victim: { ...victim, identityCode: victim.identityCode.toLowerCase() } }));
    const seen = (await as(coordinator).get(`/api/v1/referrals/${s.id}`).expect(200)).body;
    expect(seen.knownInOtherGroup).toBe(true);
    expect(JSON.stringify(seen)).not.toContain(otherGroup.id);
    // The referrer is not told.
    expect((await as(referrer).get(`/api/v1/referrals/${s.id}`).expect(200)).body.knownInOtherGroup).toBeUndefined();
  });

  describe('acceptance', () => {
    let conference: { id: string; startsAt: string };

    it('refuses to accept while the group has no conference to place the case on', async () => {
      const s = await submitted();
      const res = await as(coordinator).post(`/api/v1/referrals/${s.id}/accept`).send({}).expect(422);
      expect(res.body.type).toBe(P('no-conference-available'));
      expect((await as(coordinator).get(`/api/v1/referrals/${s.id}`).expect(200)).body.status).toBe('submitted');
    });

    it('opens a case and places it on the next conference with room before its cut-off', async () => {
      conference = (await as(coordinator).post(`/api/v1/groups/${group.id}/conferences`).send({ startsAt: '2027-03-23T07:00:00.000Z' }).expect(201)).body;
      const s = await submitted();
      const res = await as(coordinator).post(`/api/v1/referrals/${s.id}/accept`).send({}).expect(200);
      expect(res.body).toMatchObject({ status: 'accepted', caseId: expect.any(String), placement: { conferenceId: conference.id, startsAt: '2027-03-23T07:00:00.000Z' } });
      const kase = (await as(coordinator).get(`/api/v1/cases/${res.body.caseId}`).expect(200)).body;
      expect(kase).toMatchObject({ reference: s.reference, groupId: group.id, status: 'open', isRepeat: false, victim: { firstName: 'Testi' } });
      expect(kase.referrals.map((r: { id: string }) => r.id)).toContain(s.id);
      const agenda = (await as(coordinator).get(`/api/v1/conferences/${conference.id}`).expect(200)).body.agenda;
      expect(agenda.map((i: { caseId: string }) => i.caseId)).toContain(res.body.caseId);
      // The case is the group's: another group's coordinator sees nothing; the referrer sees their own.
      await as(otherCoordinator).get(`/api/v1/cases/${res.body.caseId}`).expect(404);
      await as(referrer).get(`/api/v1/cases/${res.body.caseId}`).expect(200);
      await as(otherReferrer).get(`/api/v1/cases/${res.body.caseId}`).expect(404);
      const listed = (id: string, body: { items: { id: string }[] }) => body.items.some((c) => c.id === id);
      expect(listed(res.body.caseId, (await as(coordinator).get('/api/v1/cases').query({ groupId: group.id }).expect(200)).body)).toBe(true);
      expect(listed(res.body.caseId, (await as(otherCoordinator).get('/api/v1/cases').expect(200)).body)).toBe(false);
      expect(listed(res.body.caseId, (await as(otherReferrer).get('/api/v1/cases').expect(200)).body)).toBe(false);
      await smtp.waitForMail((m) => m.to.includes(referrer.email) && m.subject.includes(s.reference) && /accepted|hyväksytty/i.test(m.subject));
    });

    it('lets one of two coordinators accepting at once win; the other gets 409', async () => {
      const s = await submitted();
      const results = await Promise.all(
        [coordinator, coordinator2].map((c) => as(c).post(`/api/v1/referrals/${s.id}/accept`).set('If-Match', String(s.version)).send({})),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const cases = await db.query(`SELECT count(*)::int AS n FROM cases WHERE reference = $1`, [s.reference]);
      expect(cases[0].n).toBe(1);
    });

    it('finds a repeat within the window: eligible on it below the threshold, and re-opens the same case', async () => {
      const victim = aVictim();
      const first = await submitted(aReferralBody(group.id, { victim }));
      const accepted = (await as(coordinator).post(`/api/v1/referrals/${first.id}/accept`).send({}).expect(200)).body;
      const again = await submitted(aReferralBody(group.id, { victim: { ...victim, lastName: victim.lastName.toUpperCase() }, riskAssessment: { formCode: 'marak', answers: answers(4) } }));
      expect(again.repeatOf).toEqual({ caseId: accepted.caseId, reference: first.reference });
      expect(again.eligibility).toEqual({ eligible: true, grounds: ['repeat'] });
      expect(again.reference).not.toBe(first.reference);
      const second = (await as(coordinator).post(`/api/v1/referrals/${again.id}/accept`).send({}).expect(200)).body;
      expect(second.caseId).toBe(accepted.caseId);
      const kase = (await as(coordinator).get(`/api/v1/cases/${accepted.caseId}`).expect(200)).body;
      expect(kase.isRepeat).toBe(true);
    });

    it('gives two referrals of one victim, both submitted before either is accepted, one case', async () => {
      const victim = aVictim();
      const a = await submitted(aReferralBody(group.id, { victim }));
      const b = await submitted(aReferralBody(group.id, { victim }));
      const [ra, rb] = await Promise.all([a, b].map((r) => as(coordinator).post(`/api/v1/referrals/${r.id}/accept`).send({})));
      expect([ra.status, rb.status]).toEqual([200, 200]);
      expect(rb.body.caseId).toBe(ra.body.caseId);
    });

    it('records every read of case data with who and whom, for the data subject’s access report', async () => {
      const s = await submitted();
      await as(chair).get(`/api/v1/referrals/${s.id}`).set('X-Purpose', 'conference-preparation').expect(200);
      const [row] = await db.query(`SELECT victim_id FROM referrals WHERE id = $1`, [s.id]);
      const log = (await t.admin.get(`/api/v1/people/${row.victim_id}/access-log`).expect(200)).body.items;
      const read = log.find((i: { action: string; actorId: string }) => i.action === 'referral.read' && i.actorId === chair.id);
      expect(read).toMatchObject({ purpose: 'conference-preparation' });
      // actorName is the staff member's name ("Testi Käyttäjä" in tests), not the data subject's.
      expect(JSON.stringify(log.map(({ actorName: _n, ...rest }: Record<string, unknown>) => rest))).not.toMatch(/Testi|Uhri/);
      expect(read.actorName).toBe('Testi Käyttäjä');
    });
  });

  // Last: moving the clock ends everyone's access tokens.
  it('escalates late triage to the chair', async () => {
    const s = await submitted();
    expect(mailsTo(chair.email).some((m) => m.subject.includes(s.reference))).toBe(false);
    // Triage is due by 16:00 Helsinki on the next working day; three days on, the chair hears of it.
    await t.admin.post('/api/v1/test/clock').send({ advance: 'P3D' }).expect(200);
    const mail = await smtp.waitForMail((m) => m.to.includes(chair.email) && m.subject.includes(s.reference));
    expect(mail.text).not.toMatch(/Testi|Uhri/);
    // Once only.
    expect(mailsTo(chair.email).filter((m) => m.subject.includes(s.reference))).toHaveLength(1);
  });

});
