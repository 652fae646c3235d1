import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { aGroup, aUser, anAgency, PASSWORD, type TestUser } from '../harness/factories.js';
import { pdfText } from '../harness/pdf-text.js';
import { eventually } from '../harness/queue-waiter.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { anOpenCase } from '../harness/marak.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

const P = (slug: string) => `https://marak.example/problems/${slug}`;

interface Conference {
  id: string;
  version: number;
  status: string;
  scheduledCount: number;
  capacity: number;
  agenda: Array<{ itemId: string; caseId: string; caseReference: string; position: number; status: string }>;
  attendance: Array<{ agencyId: string; agencyName: string; userId: string | null; present: boolean; confidentialityAcknowledged: boolean; acknowledgedAt: string | null }>;
}

/**
 * The meeting itself (DOMAIN.md step 7, API.md Conferences): attendance with the confidentiality
 * acknowledgement, starting, outcomes, deferral to the next conference, concluding, and the
 * minutes as JSON and PDF with need to know; and need to know in the cases list. One story in
 * order: the clock only moves forward.
 */
describe('conferences: the meeting and its minutes', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;
  let ds: DataSource;
  let social: { id: string; name: string };
  let police: { id: string; name: string };
  let shelter: { id: string; name: string; email: string };
  let other: { id: string };
  let group: { id: string };
  let coord: TestUser;
  let chair: TestUser;
  let rep: TestUser;
  let shelterRep: TestUser;
  let outsiderRep: TestUser;
  let otherChair: TestUser;
  let march: Conference;
  let april: Conference;
  let heard: { id: string; reference: string };
  let deferred: { id: string; reference: string };
  let restricted: { id: string; reference: string };

  // Tuesday 16 March 2027, 09:00 Helsinki (UTC+2); the next one Tuesday 13 April, 09:00 (UTC+3).
  const MARCH = '2027-03-16T07:00:00.000Z';
  const APRIL = '2027-04-13T06:00:00.000Z';
  const as = (u: TestUser) => t.as(u.accessToken);
  const item = (c: Conference, caseId: string) => c.agenda.find((i) => i.caseId === caseId)!;
  const get = async (id: string): Promise<Conference> => (await as(coord).get(`/api/v1/conferences/${id}`).expect(200)).body;
  const auditRows = (objectId: string, action: string) =>
    ds.query(`SELECT action, subject_ids, details FROM audit_log WHERE object_id = $1 AND action = $2 ORDER BY seq`, [objectId, action]);
  const rawBytes = (row: Record<string, unknown>) => JSON.stringify(row) + Object.values(row).filter(Buffer.isBuffer).map((b) => (b as Buffer).toString('latin1')).join('');
  const listIds = async (u: TestUser) => (await as(u).get(`/api/v1/cases`).query({ groupId: group.id }).expect(200)).body.items.map((i: { id: string }) => i.id);

  /** An open case in a group, straight into the tables (invented people only). */
  const aCase = (groupId: string, opts: { isRepeat?: boolean } = {}) => anOpenCase(t, groupId, opts);

  async function add(coordinator: TestUser, conferenceId: string, caseId: string): Promise<Conference> {
    const res = await as(coordinator).post(`/api/v1/conferences/${conferenceId}/agenda`).send({ caseId });
    if (res.status !== 201) throw new Error(`agenda: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Moving the clock past 15 minutes ends every access token: everyone signs in again. */
  async function moveClockTo(now: string): Promise<void> {
    await t.admin.post('/api/v1/test/clock').send({ now }).expect(200);
    await t.renewAdmin();
    for (const u of [coord, chair, rep, shelterRep, outsiderRep, otherChair]) u.accessToken = (await t.login(u.email, PASSWORD)).accessToken;
  }

  const attendance = () => [
    { agencyId: police.id, userId: chair.id, present: true, confidentialityAcknowledged: true },
    { agencyId: social.id, userId: coord.id, present: true, confidentialityAcknowledged: true },
    { agencyId: shelter.id, present: false, confidentialityAcknowledged: false },
  ];

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
    ds = t.app.get(DataSource);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z')); // Monday 10:00 Helsinki
    await t.renewAdmin();
    social = await anAgency(t, { kind: 'social_services' });
    police = await anAgency(t, { kind: 'police' });
    shelter = (await anAgency(t, { kind: 'victim_support' })) as typeof shelter;
    other = await anAgency(t, { kind: 'housing' });
    group = await aGroup(t, [social.id, police.id, shelter.id], { settings: { maxCasesPerConference: 3 } });
    const otherGroup = await aGroup(t, [other.id]);
    coord = await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }]);
    chair = await aUser(t, police.id, [{ role: 'chair', groupId: group.id }]);
    rep = await aUser(t, police.id, [{ role: 'agency_rep', groupId: group.id }]);
    shelterRep = await aUser(t, shelter.id, [{ role: 'agency_rep', groupId: group.id }]);
    outsiderRep = await aUser(t, other.id, [{ role: 'agency_rep', groupId: otherGroup.id }]);
    otherChair = await aUser(t, other.id, [{ role: 'chair', groupId: otherGroup.id }]);

    march = (await as(coord).post(`/api/v1/groups/${group.id}/conferences`).send({ startsAt: MARCH, location: 'Poliisitalo, neuvotteluhuone 3' }).expect(201)).body;
    april = (await as(coord).post(`/api/v1/groups/${group.id}/conferences`).send({ startsAt: APRIL }).expect(201)).body;
    heard = await aCase(group.id);
    deferred = await aCase(group.id);
    restricted = await aCase(group.id);
    for (const c of [heard, deferred, restricted]) march = await add(coord, march.id, c.id);
    // April is full: a repeat and two new cases.
    april = await add(coord, april.id, (await aCase(group.id, { isRepeat: true })).id);
    for (let i = 0; i < 2; i++) april = await add(coord, april.id, (await aCase(group.id)).id);
    expect(april.scheduledCount).toBe(april.capacity);
    await ds.query(`UPDATE cases SET advocate_agency_id = $2 WHERE id = $1`, [heard.id, shelter.id]);
    await ds.query(`UPDATE cases SET restricted_to = $2::uuid[] WHERE id = $1`, [restricted.id, [coord.id, chair.id]]);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  describe('before the agenda is published', () => {
    it('keeps the cases out of a member agency representative’s list', async () => {
      const ids = await listIds(rep);
      expect(ids).not.toContain(heard.id);
      expect(ids).not.toContain(deferred.id);
    });

    it('takes no attendance and has no minutes: 409, and 404 for a rep who cannot see the conference yet', async () => {
      const res = await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: attendance() }).expect(409);
      expect(res.body.type).toBe(P('conference-not-open-for-attendance'));
      expect((await as(coord).get(`/api/v1/conferences/${march.id}/minutes`).expect(409)).body.type).toBe(P('minutes-not-available'));
      await as(rep).get(`/api/v1/conferences/${march.id}/minutes`).expect(404);
    });
  });

  describe('after publication', () => {
    beforeAll(async () => {
      const res = await as(coord).post(`/api/v1/conferences/${march.id}/publish`).set('If-Match', String(march.version)).expect(200);
      march = res.body;
    });

    it('asks the advocate agency for the victim’s views', async () => {
      const mail = await smtp.waitForMail((m) => m.to.includes(shelter.email) && /^Uhrin näkemyksiä pyydetään/.test(m.subject));
      expect(mail.subject).toContain(heard.reference);
      expect([mail.subject, mail.text, mail.html].join('\n')).not.toMatch(/Testi|Virtanen|Käyttäjä/);
    });

    it('shows a member agency’s representative the published cases in the list, but not a restricted one, and not to another group’s rep', async () => {
      const ids = await listIds(rep);
      expect(ids).toEqual(expect.arrayContaining([heard.id, deferred.id]));
      expect(ids).not.toContain(restricted.id);
      const refs = (await as(rep).get(`/api/v1/cases`).expect(200)).body.items.map((i: { reference: string }) => i.reference);
      expect(refs.filter((r: string) => r.startsWith('MRK-2027-7'))).toHaveLength(2); // the planned April agenda stays hidden
      expect(await listIds(outsiderRep)).toEqual([]);
      // The chair of the group sees every case, restricted ones included only when named.
      expect(await listIds(chair)).toEqual(expect.arrayContaining([heard.id, deferred.id, restricted.id]));
    });

    it('refuses a present attendee without the confidentiality acknowledgement: 422 naming the entry', async () => {
      const entries = attendance();
      entries[1]!.confidentialityAcknowledged = false;
      const res = await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries }).expect(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.type).toBe(P('confidentiality-not-acknowledged'));
      expect(res.body.errors).toEqual([{ field: 'entries.1.confidentialityAcknowledged', message: expect.any(String) }]);
      expect((await get(march.id)).attendance).toEqual([]);
    });

    it('refuses an agency outside the group, a person of another agency, duplicates, malformed entries, a rep and a stale version', async () => {
      const notMember = await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: [...attendance(), { agencyId: other.id, present: false, confidentialityAcknowledged: false }] }).expect(422);
      expect(notMember.body.type).toBe(P('attendance-agency-not-member'));
      expect(notMember.body.errors).toEqual([{ field: 'entries.3.agencyId', message: expect.any(String) }]);
      const wrongUser = await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: [{ agencyId: social.id, userId: rep.id, present: true, confidentialityAcknowledged: true }] }).expect(422);
      expect(wrongUser.body.type).toBe(P('attendance-user-invalid'));
      expect(JSON.stringify(wrongUser.body)).not.toContain(rep.email);
      await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: [attendance()[0], attendance()[0]] }).expect(400);
      await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: [{ agencyId: police.id, present: 'yes' }] }).expect(400);
      await as(rep).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: attendance() }).expect(403);
      await as(otherChair).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: attendance() }).expect(404);
      const stale = await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).set('If-Match', String(march.version - 1)).send({ entries: attendance() }).expect(409);
      expect(stale.body.type).toBe(P('version-conflict'));
      const staleBody = await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: attendance(), version: march.version + 1 }).expect(409);
      expect(staleBody.body.type).toBe(P('version-conflict'));
    });

    it('records the attendance (coordinator): shown by GET /conferences/:id with the agencies’ names and the acknowledgement instant; audited', async () => {
      const res = await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).set('If-Match', String(march.version)).send({ entries: attendance() }).expect(200);
      expect(res.body.version).toBe(march.version + 1);
      const now = t.clock.now().toISOString();
      const view = await get(march.id);
      expect(view.attendance).toEqual([
        { agencyId: police.id, agencyName: police.name, userId: chair.id, present: true, confidentialityAcknowledged: true, acknowledgedAt: now },
        { agencyId: social.id, agencyName: social.name, userId: coord.id, present: true, confidentialityAcknowledged: true, acknowledgedAt: now },
        { agencyId: shelter.id, agencyName: shelter.name, userId: null, present: false, confidentialityAcknowledged: false, acknowledgedAt: null },
      ]);
      march = view;
      const [audit] = await auditRows(march.id, 'conference.attendance.record');
      expect(audit.details).toMatchObject({ conferenceId: march.id, count: 2, version: view.version });
    });

    it('refuses to start before the meeting’s day (422), for a coordinator (403) and another group’s chair (404)', async () => {
      expect((await as(chair).post(`/api/v1/conferences/${march.id}/start`).expect(422)).body.type).toBe(P('conference-not-today'));
      await as(coord).post(`/api/v1/conferences/${march.id}/start`).expect(403);
      await as(otherChair).post(`/api/v1/conferences/${march.id}/start`).expect(404);
      await as(chair).post(`/api/v1/conferences/${april.id}/start`).expect(409); // still planned
      expect((await get(march.id)).status).toBe('agenda_published');
    });
  });

  describe('on the meeting day', () => {
    beforeAll(async () => {
      await moveClockTo('2027-03-16T06:30:00.000Z'); // 08:30 Helsinki
    });

    it('will not start without a present attendee (422), keeps an acknowledgement’s first instant, then starts (chair)', async () => {
      const firstAck = (await get(march.id)).attendance[0]!.acknowledgedAt;
      const absent = attendance().map((e) => ({ ...e, present: false }));
      await as(chair).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: absent }).expect(200);
      expect((await as(chair).post(`/api/v1/conferences/${march.id}/start`).expect(422)).body.type).toBe(P('attendance-not-recorded'));

      const present = await as(chair).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: attendance() }).expect(200);
      expect(present.body.attendance[0].acknowledgedAt).toBe(firstAck);
      const stale = await as(chair).post(`/api/v1/conferences/${march.id}/start`).set('If-Match', String(present.body.version - 1)).expect(409);
      expect(stale.body.type).toBe(P('version-conflict'));
      const res = await as(chair).post(`/api/v1/conferences/${march.id}/start`).set('If-Match', String(present.body.version)).expect(200);
      expect(res.body).toMatchObject({ status: 'in_session', version: present.body.version + 1 });
      march = res.body;
      expect((await as(chair).post(`/api/v1/conferences/${march.id}/start`).expect(409)).body.type).toBe(P('conference-not-published'));
      expect(await auditRows(march.id, 'conference.start')).toHaveLength(1);
      const pending = await ds.query(`SELECT 1 FROM timers WHERE kind = 'conference.reminder' AND subject_id = $1 AND state = 'pending'`, [march.id]);
      expect(pending).toHaveLength(0);
    });

    it('refuses invalid actions with 400 before anything changes', async () => {
      const url = `/api/v1/conferences/${march.id}/agenda/${item(march, heard.id).itemId}/outcome`;
      const base = { riskSummary: 'Keksitty riskiarvio.', riskLevel: 'high' };
      const action = { agencyId: police.id, description: 'Osoitteen hälytysmerkintä.' };
      const both = await as(chair).post(url).send({ ...base, actions: [{ ...action, dueDate: '2027-03-30', dueInWorkingDays: 5 }] }).expect(400);
      expect(both.body.errors).toEqual([{ field: 'actions.0.dueDate', message: expect.any(String) }]);
      await as(chair).post(url).send({ ...base, actions: [action] }).expect(400);
      await as(chair).post(url).send({ ...base, actions: [{ ...action, dueDate: '2027-02-30' }] }).expect(400);
      await as(chair).post(url).send({ ...base, actions: [{ ...action, dueInWorkingDays: 251 }] }).expect(400);
      await as(chair).post(url).send({ ...base, actions: [{ ...action, description: '', dueInWorkingDays: 5 }] }).expect(400);
      await as(chair).post(url).send({ ...base, actions: [{ ...action, description: 'x'.repeat(2001), dueInWorkingDays: 5 }] }).expect(400);
      await as(chair).post(url).send({ ...base, actions: Array.from({ length: 31 }, () => ({ ...action, dueInWorkingDays: 5 })) }).expect(400);
      await as(chair).post(url).send({ ...base, riskLevel: 'extreme', actions: [] }).expect(400);
      await as(chair).post(url).send({ riskLevel: 'high', actions: [] }).expect(400);
      expect(item(await get(march.id), heard.id).status).toBe('scheduled');
    });

    it('is the chair’s: the coordinator and a rep get 403, another group’s chair 404', async () => {
      const url = `/api/v1/conferences/${march.id}/agenda/${item(march, heard.id).itemId}/outcome`;
      const body = { riskSummary: 'Keksitty riskiarvio.', riskLevel: 'high', actions: [] };
      await as(coord).post(url).send(body).expect(403);
      await as(rep).post(url).send(body).expect(403);
      await as(outsiderRep).post(url).send(body).expect(403); // no chair role anywhere: refused before any object is looked at
      await as(otherChair).post(url).send(body).expect(404);
      await as(chair).post(`/api/v1/conferences/${march.id}/agenda/${randomUUID()}/outcome`).send(body).expect(404);
    });

    it('records the outcome: item heard, risk summary encrypted, the case’s last hearing set, hearings in the case view; 409 again', async () => {
      const itemId = item(march, heard.id).itemId;
      const url = `/api/v1/conferences/${march.id}/agenda/${itemId}/outcome`;
      const res = await as(chair).post(url).send({ riskSummary: 'Kuristamisyritys, uhri pelkää henkensä puolesta.', riskLevel: 'high', actions: [] }).expect(200);
      expect(res.body).toEqual({
        itemId,
        caseId: heard.id,
        caseReference: heard.reference,
        status: 'heard',
        riskLevel: 'high',
        riskSummary: 'Kuristamisyritys, uhri pelkää henkensä puolesta.',
        recordedAt: t.clock.now().toISOString(),
        recordedBy: chair.id,
        actions: [],
      });
      const [raw] = await ds.query(`SELECT * FROM agenda_outcomes WHERE item_id = $1`, [itemId]);
      expect(raw.risk_summary_enc).toBeInstanceOf(Buffer);
      expect(rawBytes(raw)).not.toContain('Kuristamis');
      const [kase] = await ds.query(`SELECT last_hearing_at, victim_id FROM cases WHERE id = $1`, [heard.id]);
      expect(kase.last_hearing_at.toISOString()).toBe(t.clock.now().toISOString());
      const [audit] = await auditRows(march.id, 'conference.outcome.record');
      expect(audit.details).toMatchObject({ caseId: heard.id, hearingId: itemId, state: 'high', count: 0 });
      expect(audit.subject_ids).toEqual([kase.victim_id]);
      expect(JSON.stringify(audit)).not.toContain('Kuristamis');

      const view = (await as(coord).get(`/api/v1/cases/${heard.id}`).expect(200)).body;
      expect(view.hearings).toEqual([{ conferenceId: march.id, startsAt: MARCH, itemId, status: 'heard', riskLevel: 'high' }]);
      expect(view.lastHearingAt).toBe(t.clock.now().toISOString());

      const again = await as(chair).post(url).send({ riskSummary: 'x', riskLevel: 'medium', actions: [] }).expect(409);
      expect(again.body.type).toBe(P('agenda-item-not-scheduled'));
    });

    it('will not conclude while cases are still scheduled: 409 listing them', async () => {
      const res = await as(chair).post(`/api/v1/conferences/${march.id}/conclude`).expect(409);
      expect(res.body.type).toBe(P('agenda-items-unheard'));
      expect(res.body.itemIds.sort()).toEqual([item(march, deferred.id).itemId, item(march, restricted.id).itemId].sort());
      await as(coord).post(`/api/v1/conferences/${march.id}/conclude`).expect(403);
    });

    it('defers a case (coordinator) to the next conference, first of all even though its agenda is full', async () => {
      const itemId = item(march, deferred.id).itemId;
      await as(coord).post(`/api/v1/conferences/${march.id}/agenda/${itemId}/defer`).send({}).expect(400);
      await as(rep).post(`/api/v1/conferences/${march.id}/agenda/${itemId}/defer`).send({ reason: 'x' }).expect(403);
      const res = await as(coord).post(`/api/v1/conferences/${march.id}/agenda/${itemId}/defer`).send({ reason: 'Aika loppui; uhrin tukihenkilö sairaana.' }).expect(200);
      expect(res.body).toMatchObject({ itemId, caseId: deferred.id, caseReference: deferred.reference, status: 'deferred', deferredTo: { conferenceId: april.id, startsAt: APRIL, slotStartsAt: APRIL } });

      const next = await get(april.id);
      expect(next.agenda[0]).toMatchObject({ caseId: deferred.id, position: 0, status: 'scheduled', itemId: res.body.deferredTo.itemId });
      expect(next.scheduledCount).toBe(april.capacity + 1);
      const [raw] = await ds.query(`SELECT * FROM agenda_deferrals WHERE item_id = $1`, [itemId]);
      expect(rawBytes(raw)).not.toContain('sairaana');
      const [timer] = await ds.query(`SELECT state FROM timers WHERE kind = 'conference.victim-views-reminder' AND subject_id = $1`, [itemId]);
      expect(timer.state).not.toBe('pending');
      expect((await auditRows(march.id, 'conference.defer'))[0].details).toMatchObject({ caseId: deferred.id, hearingId: itemId, toState: 'deferred' });

      const hearings = (await as(chair).get(`/api/v1/cases/${deferred.id}`).expect(200)).body.hearings;
      expect(hearings).toEqual([
        { conferenceId: march.id, startsAt: MARCH, itemId, status: 'deferred', riskLevel: null },
        { conferenceId: april.id, startsAt: APRIL, itemId: res.body.deferredTo.itemId, status: 'scheduled', riskLevel: null },
      ]);
      const again = await as(chair).post(`/api/v1/conferences/${march.id}/agenda/${itemId}/defer`).send({ reason: 'x' }).expect(409);
      expect(again.body.type).toBe(P('agenda-item-not-scheduled'));
      // April has not been published: nothing can be deferred from it yet.
      const fromPlanned = await as(coord).post(`/api/v1/conferences/${april.id}/agenda/${res.body.deferredTo.itemId}/defer`).send({ reason: 'x' }).expect(409);
      expect(fromPlanned.body.type).toBe(P('conference-not-open-for-deferral'));
      march = await get(march.id);
    });

    it('hears the restricted case and concludes (chair); 409 afterwards', async () => {
      await as(chair).post(`/api/v1/conferences/${march.id}/agenda/${item(march, restricted.id).itemId}/outcome`).send({ riskSummary: 'Rajattu arvio: työntekijän omainen.', riskLevel: 'medium', actions: [] }).expect(200);
      const res = await as(chair).post(`/api/v1/conferences/${march.id}/conclude`).expect(200);
      expect(res.body.status).toBe('concluded');
      march = res.body;
      expect((await as(chair).post(`/api/v1/conferences/${march.id}/conclude`).expect(409)).body.type).toBe(P('conference-not-in-session'));
      expect((await as(chair).post(`/api/v1/conferences/${march.id}/agenda/${item(march, heard.id).itemId}/outcome`).send({ riskSummary: 'x', riskLevel: 'high', actions: [] }).expect(409)).body.type).toBe(
        P('conference-not-in-session'),
      );
      expect((await as(coord).put(`/api/v1/conferences/${march.id}/attendance`).send({ entries: attendance() }).expect(409)).body.type).toBe(P('conference-not-open-for-attendance'));
      expect(await auditRows(march.id, 'conference.conclude')).toHaveLength(1);
    });

    it('gives the coordinator the whole minutes as JSON, and audits the read', async () => {
      const res = await as(coord).get(`/api/v1/conferences/${march.id}/minutes`).expect(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      const m = res.body;
      expect(m.conference).toMatchObject({ id: march.id, groupId: group.id, startsAt: MARCH, location: 'Poliisitalo, neuvotteluhuone 3', status: 'concluded', extraordinary: false, startedAt: expect.any(String), concludedAt: expect.any(String) });
      expect(m.attendance).toHaveLength(3);
      expect(m.items.map((i: { caseReference: string }) => i.caseReference)).toEqual([heard.reference, deferred.reference, restricted.reference]);
      const [a, b, r] = m.items;
      expect(a).toMatchObject({ kind: 'new', status: 'heard', restricted: false, outcome: { riskLevel: 'high', riskSummary: 'Kuristamisyritys, uhri pelkää henkensä puolesta.' }, deferral: null, actions: [] });
      expect(b).toMatchObject({ status: 'deferred', outcome: null, deferral: { reason: 'Aika loppui; uhrin tukihenkilö sairaana.', deferredTo: april.id } });
      expect(r).toMatchObject({ status: 'heard', restricted: false, outcome: { riskLevel: 'medium', riskSummary: 'Rajattu arvio: työntekijän omainen.' } });
      expect(a.slotStartsAt).toBe(MARCH);
      const [audit] = await auditRows(march.id, 'conference.minutes.read');
      expect(audit.details).toMatchObject({ conferenceId: march.id, format: 'json', count: 3, restricted: false });
      expect([...audit.details.caseId].sort()).toEqual([heard.id, deferred.id, restricted.id].sort());
    });

    it('shows a member agency’s representative the minutes without the restricted case’s content; 404 for another group', async () => {
      const m = (await as(rep).get(`/api/v1/conferences/${march.id}/minutes`).expect(200)).body;
      const r = m.items.find((i: { caseId: string }) => i.caseId === restricted.id);
      expect(r).toMatchObject({ caseReference: restricted.reference, restricted: true, outcome: null, deferral: null, actions: [], agencies: [] });
      expect(JSON.stringify(m)).not.toContain('Rajattu arvio');
      expect(m.items.find((i: { caseId: string }) => i.caseId === heard.id).outcome.riskLevel).toBe('high');
      await as(outsiderRep).get(`/api/v1/conferences/${march.id}/minutes`).expect(404);
      await as(otherChair).get(`/api/v1/conferences/${march.id}/minutes`).expect(404);
      await as(coord).get(`/api/v1/conferences/${march.id}/minutes`).query({ format: 'xml' }).expect(400);
      const [, audit] = await auditRows(march.id, 'conference.minutes.read');
      expect(audit.details).toMatchObject({ restricted: true });
    });

    it('renders the minutes as a PDF with Accept: application/pdf or ?format=pdf', async () => {
      const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      };
      const res = await as(coord).get(`/api/v1/conferences/${march.id}/minutes`).set('Accept', 'application/pdf').buffer(true).parse(binary as never).expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(`attachment; filename="minutes-${march.id}.pdf"`);
      const pdf = res.body as Buffer;
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.toString('latin1')).toMatch(/\/Type \/Page\b/);
      expect(pdf.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
      const text = pdfText(pdf);
      for (const c of [heard, deferred, restricted]) expect(text).toContain(c.reference);
      expect(text).toContain('Rajattu arvio');
      expect(text).toContain(police.name);

      const repPdf = (await as(rep).get(`/api/v1/conferences/${march.id}/minutes`).query({ format: 'pdf' }).buffer(true).parse(binary as never).expect(200)).body as Buffer;
      const repText = pdfText(repPdf);
      expect(repText).toContain(restricted.reference);
      expect(repText).not.toContain('Rajattu arvio');
      expect(repText).toContain('Kuristamisyritys');
      const formats = (await auditRows(march.id, 'conference.minutes.read')).map((r: { details: { format: string } }) => r.details.format);
      expect(formats.slice(-2)).toEqual(['pdf', 'pdf']);
    });

    it('keeps the rep’s list: the heard case is still open and visible, the restricted one not', async () => {
      const ids = await listIds(rep);
      expect(ids).toEqual(expect.arrayContaining([heard.id, deferred.id]));
      expect(ids).not.toContain(restricted.id);
      await as(shelterRep).get(`/api/v1/cases/${heard.id}`).expect(200);
    });

    it('refuses to defer when the group has no later conference: 422 and nothing changes', async () => {
      const lone = await aGroup(t, [social.id, police.id]);
      const loneCoord = await aUser(t, social.id, [{ role: 'coordinator', groupId: lone.id }]);
      let c: Conference = (await as(loneCoord).post(`/api/v1/groups/${lone.id}/conferences`).send({ startsAt: '2027-05-11T06:00:00.000Z' }).expect(201)).body;
      const kase = await aCase(lone.id);
      c = await add(loneCoord, c.id, kase.id);
      c = (await as(loneCoord).post(`/api/v1/conferences/${c.id}/publish`).expect(200)).body;
      const res = await as(loneCoord).post(`/api/v1/conferences/${c.id}/agenda/${item(c, kase.id).itemId}/defer`).send({ reason: 'Ei aikaa.' }).expect(422);
      expect(res.body.type).toBe(P('no-next-conference'));
      const after = (await as(loneCoord).get(`/api/v1/conferences/${c.id}`).expect(200)).body as Conference;
      expect(item(after, kase.id).status).toBe('scheduled');
      expect(after.version).toBe(c.version);
      expect(await ds.query(`SELECT 1 FROM agenda_deferrals WHERE item_id = $1`, [item(c, kase.id).itemId])).toHaveLength(0);
    });
  });

  /**
   * A conference in session keeps its agenda: a case closed meanwhile stays on it (the chair hears
   * it without actions, or defers it without placing it again), and an item gone from the agenda
   * while a request waited for the conference's lock is a 404.
   */
  describe('cases closed or taken off while the meeting runs', () => {
    let g: { id: string };
    let gCoord: TestUser;
    let gChair: TestUser;
    let c: Conference;
    let gone: { id: string; reference: string };
    let closedThenDeferred: { id: string; reference: string };
    let closedThenHeard: { id: string; reference: string };
    const view = async (id: string): Promise<Conference> => (await as(gCoord).get(`/api/v1/conferences/${id}`).expect(200)).body;

    beforeAll(async () => {
      g = await aGroup(t, [social.id, police.id]);
      gCoord = await aUser(t, social.id, [{ role: 'coordinator', groupId: g.id }]);
      gChair = await aUser(t, police.id, [{ role: 'chair', groupId: g.id }]);
      // The same day, 12:00 Helsinki: the group has no later conference.
      c = (await as(gCoord).post(`/api/v1/groups/${g.id}/conferences`).send({ startsAt: '2027-03-16T10:00:00.000Z' }).expect(201)).body;
      gone = await aCase(g.id);
      closedThenDeferred = await aCase(g.id);
      closedThenHeard = await aCase(g.id);
      for (const k of [gone, closedThenDeferred, closedThenHeard]) c = await add(gCoord, c.id, k.id);
      await as(gCoord).post(`/api/v1/conferences/${c.id}/publish`).expect(200);
      const entries = [{ agencyId: police.id, userId: gChair.id, present: true, confidentialityAcknowledged: true }];
      await as(gChair).put(`/api/v1/conferences/${c.id}/attendance`).send({ entries }).expect(200);
      c = (await as(gChair).post(`/api/v1/conferences/${c.id}/start`).expect(200)).body;
    });

    it('answers 404 (not 500) for an item taken off the agenda while the request waited for the conference', async () => {
      const itemId = item(c, gone.id).itemId;
      const [{ db }] = await ds.query(`SELECT current_database() AS db`);
      const holder = ds.createQueryRunner();
      await holder.connect();
      await holder.startTransaction();
      try {
        await holder.query(`SELECT 1 FROM conferences WHERE id = $1 FOR UPDATE`, [c.id]);
        const pending = as(gCoord).post(`/api/v1/conferences/${c.id}/agenda/${itemId}/defer`).send({ reason: 'Ei aikaa.' }).then((r) => r);
        // The deferral has read the item and locked its case, and now waits for the conference.
        await eventually(async () => {
          const rows = await holder.query(`SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE NOT l.granted AND a.datname = $1`, [db]);
          return rows.length > 0;
        }, 'the deferral to wait for the conference row');
        const [{ position }] = await holder.query(`DELETE FROM agenda_items WHERE id = $1 RETURNING position`, [itemId]);
        await holder.query(`UPDATE agenda_items SET position = position - 1 WHERE conference_id = $1 AND position > $2`, [c.id, position]);
        await holder.commitTransaction();
        const res = await pending;
        expect(res.status).toBe(404);
        expect(res.body.type).toBe(P('not-found'));
      } finally {
        if (holder.isTransactionActive) await holder.rollbackTransaction();
        await holder.release();
      }
      c = await view(c.id);
      expect(c.agenda.map((i) => i.caseId)).toEqual([closedThenDeferred.id, closedThenHeard.id]);
    });

    it('defers a case closed during the session without placing it anywhere, even with no later conference', async () => {
      await as(gCoord).post(`/api/v1/cases/${closedThenDeferred.id}/close`).send({ reason: 'moved_away' }).expect(200);
      c = await view(c.id);
      const itemId = item(c, closedThenDeferred.id).itemId;
      expect(item(c, closedThenDeferred.id).status).toBe('scheduled'); // in session: it stays for the chair
      const res = await as(gCoord).post(`/api/v1/conferences/${c.id}/agenda/${itemId}/defer`).send({ reason: 'Asia suljettu: muuttanut paikkakunnalta.' }).expect(200);
      expect(res.body).toEqual({ itemId, caseId: closedThenDeferred.id, caseReference: closedThenDeferred.reference, status: 'deferred', deferredTo: null });
      const items = await ds.query(`SELECT status FROM agenda_items WHERE case_id = $1`, [closedThenDeferred.id]);
      expect(items).toEqual([{ status: 'deferred' }]);
      const [raw] = await ds.query(`SELECT * FROM agenda_deferrals WHERE item_id = $1`, [itemId]);
      expect(rawBytes(raw)).not.toContain('muuttanut');
      expect(await auditRows(c.id, 'agenda.place')).toHaveLength(0);
      expect((await auditRows(c.id, 'conference.defer'))[0].details).toMatchObject({ caseId: closedThenDeferred.id, hearingId: itemId, toState: 'deferred' });
    });

    it('hears a case closed during the session without actions (422 `case-closed` with them), then concludes', async () => {
      await as(gChair).post(`/api/v1/cases/${closedThenHeard.id}/close`).send({ reason: 'consent_withdrawn' }).expect(200);
      const url = `/api/v1/conferences/${c.id}/agenda/${item(c, closedThenHeard.id).itemId}/outcome`;
      const withActions = await as(gChair)
        .post(url)
        .send({ riskSummary: 'Keksitty riskiarvio.', riskLevel: 'standard', actions: [{ agencyId: police.id, description: 'Seuranta.', dueInWorkingDays: 5 }] })
        .expect(422);
      expect(withActions.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(withActions.body.type).toBe(P('case-closed'));
      expect(await ds.query(`SELECT 1 FROM actions WHERE case_id = $1`, [closedThenHeard.id])).toHaveLength(0);
      expect(item(await view(c.id), closedThenHeard.id).status).toBe('scheduled');

      const res = await as(gChair).post(url).send({ riskSummary: 'Keksitty riskiarvio.', riskLevel: 'standard', actions: [] }).expect(200);
      expect(res.body).toMatchObject({ caseId: closedThenHeard.id, status: 'heard', actions: [] });
      const [kase] = await ds.query(`SELECT status FROM cases WHERE id = $1`, [closedThenHeard.id]);
      expect(kase.status).toBe('closed');
      expect((await as(gChair).post(`/api/v1/conferences/${c.id}/conclude`).expect(200)).body.status).toBe('concluded');
      const minutes = (await as(gCoord).get(`/api/v1/conferences/${c.id}/minutes`).expect(200)).body;
      expect(minutes.items.map((i: { status: string; deferral: { deferredTo: string | null } | null }) => [i.status, i.deferral?.deferredTo ?? null])).toEqual([
        ['deferred', null],
        ['heard', null],
      ]);
    });
  });
});
