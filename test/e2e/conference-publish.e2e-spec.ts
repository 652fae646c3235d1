import { DataSource } from 'typeorm';
import { aGroup, aUser, anAgency, PASSWORD, type TestUser } from '../harness/factories.js';
import { SmtpCatcher, type CaughtMail } from '../harness/smtp-catcher.js';
import { anOpenCase } from '../harness/marak.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

const PROBLEM = 'https://marak.example/problems/';

/**
 * Publishing an agenda (DOMAIN.md steps 6–7 and 9): the notice with an .ics to every member
 * agency, need to know for the member agencies' representatives, and the reminders before the
 * meeting. One story in order: the clock only moves forward.
 */
describe('conferences: publishing the agenda', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;
  let ds: DataSource;
  let agencies: Array<{ id: string; name: string; email: string }>;
  let housing: { id: string; email: string };
  let group: { id: string };
  let coord: TestUser;
  let rep: TestUser;
  let outsider: TestUser;
  let conference: { id: string; version: number; agenda: Array<{ itemId: string }> };
  let withAdvocate: { id: string; reference: string };
  let withoutAdvocate: { id: string; reference: string };

  // Tuesday 16 March 2027, 09:00 Helsinki (UTC+2).
  const STARTS_AT = '2027-03-16T07:00:00.000Z';
  const as = (u: TestUser) => t.as(u.accessToken);
  const mailsTo = (email: string, subject: RegExp) => smtp.mails.filter((m) => m.to.includes(email) && subject.test(m.subject));
  const AGENDA = /asialista julkaistu/;
  const REMINDER = /^Muistutus: MARAK-kokous/;
  const VIEWS = /uhrin näkemykset/;
  const REQUEST = /^Uhrin näkemyksiä pyydetään/;
  const noPersonalData = (m: CaughtMail) => {
    const all = [m.subject, m.text, m.html, ...m.attachments.map((a) => a.content.toString('utf8'))].join('\n');
    expect(all).not.toMatch(/Testi|Virtanen|Käyttäjä/);
  };

  /** An open case in the group, straight into the tables (no referral needed here). */
  const aCase = () => anOpenCase(t, group.id);

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
    ds = t.app.get(DataSource);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z')); // Monday 10:00 Helsinki
    await t.renewAdmin();
    const social = (await anAgency(t, { kind: 'social_services' })) as { id: string; name: string; email: string };
    const police = (await anAgency(t, { kind: 'police' })) as { id: string; name: string; email: string };
    const shelter = (await anAgency(t, { kind: 'victim_support' })) as { id: string; name: string; email: string };
    const other = await anAgency(t, { kind: 'housing' });
    agencies = [social, police, shelter];
    housing = shelter;
    group = await aGroup(t, agencies.map((a) => a.id));
    const otherGroup = await aGroup(t, [other.id]);
    coord = await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }]);
    rep = await aUser(t, police.id, [{ role: 'agency_rep', groupId: group.id }]);
    outsider = await aUser(t, other.id, [{ role: 'agency_rep', groupId: otherGroup.id }]);
    const res = await as(coord).post(`/api/v1/groups/${group.id}/conferences`).send({ startsAt: STARTS_AT });
    if (res.status !== 201) throw new Error(`conference: ${res.status} ${JSON.stringify(res.body)}`);
    conference = res.body;
    withAdvocate = await aCase();
    withoutAdvocate = await aCase();
    for (const c of [withAdvocate, withoutAdvocate]) {
      const added = await as(coord).post(`/api/v1/conferences/${conference.id}/agenda`).send({ caseId: c.id }).expect(201);
      conference = added.body;
    }
    // The endpoint that names the advocate does not exist yet: set it straight in the table.
    await ds.query(`UPDATE cases SET advocate_agency_id = $2 WHERE id = $1`, [withAdvocate.id, housing.id]);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('keeps the case from a member agency’s representative before publishing: 404', async () => {
    await as(rep).get(`/api/v1/cases/${withAdvocate.id}`).expect(404);
    expect(smtp.mails).toHaveLength(0);
  });

  it('is for the coordinator only, and checks If-Match', async () => {
    await as(rep).post(`/api/v1/conferences/${conference.id}/publish`).expect(403); // no conferences:manage permission
    const stale = await as(coord).post(`/api/v1/conferences/${conference.id}/publish`).set('If-Match', String(conference.version - 1));
    expect(stale.status).toBe(409);
    expect(stale.body.type).toBe(`${PROBLEM}version-conflict`);
  });

  it('publishes: every member agency’s mailbox gets the agenda notice with the meeting as .ics, once, without personal data', async () => {
    const res = await as(coord).post(`/api/v1/conferences/${conference.id}/publish`).set('If-Match', String(conference.version)).expect(200);
    expect(res.body).toMatchObject({ id: conference.id, status: 'agenda_published', version: conference.version + 1 });
    expect(res.body.agenda).toHaveLength(2);
    conference = res.body;
    for (const agency of agencies) {
      const mail = await smtp.waitForMail((m) => m.to.includes(agency.email) && AGENDA.test(m.subject));
      const ics = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
      expect(ics).toBeDefined();
      expect(ics!.content.toString('utf8')).toMatch(/DTSTART:20270316T070000Z/);
      expect(mail.text).toContain(agency.name);
      noPersonalData(mail);
    }
    // The outbox is drained by then; nothing twice, nothing to anyone else.
    await new Promise((r) => setTimeout(r, 300));
    for (const agency of agencies) expect(mailsTo(agency.email, AGENDA)).toHaveLength(1);
    // ... and the advocate agency of the case that has one is asked for the victim's views (below).
    expect(smtp.mails).toHaveLength(agencies.length + 1);
  });

  it('asks the advocate agency for the victim’s views at publication, once per case with an advocate, without personal data', async () => {
    const request = await smtp.waitForMail((m) => m.to.includes(housing.email) && REQUEST.test(m.subject));
    expect(request.subject).toContain(withAdvocate.reference);
    expect(request.text).toContain(`/cases/${withAdvocate.id}`);
    noPersonalData(request);
    expect(smtp.mails.filter((m) => REQUEST.test(m.subject))).toHaveLength(1); // the case without an advocate: none
    expect(smtp.mails.some((m) => m.subject.includes(withoutAdvocate.reference))).toBe(false);
  });

  it('refuses to publish twice: 409', async () => {
    const res = await as(coord).post(`/api/v1/conferences/${conference.id}/publish`);
    expect(res.status).toBe(409);
    expect(res.body.type).toBe(`${PROBLEM}conference-not-planned`);
  });

  it('lets a member agency’s representative open the case now, and not a non-member’s', async () => {
    const res = await as(rep).get(`/api/v1/cases/${withAdvocate.id}`).expect(200);
    expect(res.body).toMatchObject({ id: withAdvocate.id, reference: withAdvocate.reference, status: 'open' });
    expect(res.body.victim).toBeDefined();
    await as(outsider).get(`/api/v1/cases/${withAdvocate.id}`).expect(404);
  });

  it('sends the notice again after a change to the published agenda', async () => {
    const order = [...conference.agenda].reverse().map((i) => i.itemId);
    const res = await as(coord).put(`/api/v1/conferences/${conference.id}/agenda/order`).set('If-Match', String(conference.version)).send({ itemIds: order }).expect(200);
    conference = res.body;
    for (const agency of agencies) await smtp.waitForMail(() => mailsTo(agency.email, AGENDA).length === 2);
    // A reorder is no reason to ask the advocate again.
    expect(smtp.mails.filter((m) => REQUEST.test(m.subject))).toHaveLength(1);
  });

  it('asks the advocate of a case put on the already published agenda', async () => {
    const late = await aCase();
    await ds.query(`UPDATE cases SET advocate_agency_id = $2 WHERE id = $1`, [late.id, housing.id]);
    const res = await as(coord).post(`/api/v1/conferences/${conference.id}/agenda`).set('If-Match', String(conference.version)).send({ caseId: late.id }).expect(201);
    conference = res.body;
    const request = await smtp.waitForMail((m) => m.to.includes(housing.email) && REQUEST.test(m.subject) && m.subject.includes(late.reference));
    noPersonalData(request);
    // Taken off again (its reminder with it), so the reminders below concern the first case only.
    const item = conference.agenda.find((i) => (i as { caseId?: string }).caseId === late.id)!;
    await as(coord).delete(`/api/v1/conferences/${conference.id}/agenda/${item.itemId}`).set('If-Match', String(conference.version)).expect(204);
  });

  // Last: moving the clock ends everyone's access tokens.
  it('reminds the advocate agency 3 working days before the meeting, and every member agency the working day before, once each', async () => {
    const before = smtp.mails.length;
    // Thursday 11 March, 09:00 Helsinki is three working days before Tuesday 16 March.
    await t.admin.post('/api/v1/test/clock').send({ now: '2027-03-11T07:30:00.000Z' }).expect(200);
    await t.renewAdmin();
    const views = await smtp.waitForMail((m) => m.to.includes(housing.email) && VIEWS.test(m.subject));
    expect(views.subject).toContain(withAdvocate.reference);
    noPersonalData(views);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails.slice(before).filter((m) => VIEWS.test(m.subject))).toHaveLength(1); // the case without an advocate: none
    expect(smtp.mails.slice(before).filter((m) => REMINDER.test(m.subject))).toHaveLength(0);

    // Monday 15 March, 09:00 Helsinki: the working day before.
    await t.admin.post('/api/v1/test/clock').send({ now: '2027-03-15T07:30:00.000Z' }).expect(200);
    await t.renewAdmin();
    for (const agency of agencies) {
      const mail = await smtp.waitForMail((m) => m.to.includes(agency.email) && REMINDER.test(m.subject));
      noPersonalData(mail);
    }
    await new Promise((r) => setTimeout(r, 300));
    for (const agency of agencies) expect(mailsTo(agency.email, REMINDER)).toHaveLength(1);
    expect(smtp.mails.filter((m) => VIEWS.test(m.subject))).toHaveLength(1);

    // The rep signs in again and still sees the case (it is open and on the published agenda).
    const tokens = await t.login(rep.email, PASSWORD);
    await t.as(tokens.accessToken).get(`/api/v1/cases/${withAdvocate.id}`).expect(200);
  });
});
