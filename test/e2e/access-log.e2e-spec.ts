import { DataSource } from 'typeorm';
import { aGroup, aUser, anAgency, type TestUser } from '../harness/factories.js';
import { aReferralBody } from '../harness/referrals.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

interface AccessItem {
  action: string;
  actorId: string | null;
  actorName: string | null;
  actorAgencyId: string | null;
  actorAgencyName: string | null;
  occurredAt: string;
}

/**
 * A data subject's access report (DOMAIN.md: "who has seen their data; the answer is one
 * report") over a whole case through the API, ending with the withdrawal of consent: every read
 * and write names who (id and name), their agency (id and name) and when, for the victim and for
 * a child alike; withdrawal closes the case and tells the agencies without detail.
 */
describe('access report of a data subject', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;
  let db: DataSource;
  let police: { id: string; name: string; email: string };
  let social: { id: string; name: string; email: string };
  let referrer: TestUser;
  let coordinator: TestUser;
  let chair: TestUser;
  let groupId: string;

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
    db = t.app.get(DataSource);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z'));
    await t.renewAdmin();
    police = (await anAgency(t, { kind: 'police' })) as typeof police;
    social = (await anAgency(t, { kind: 'social_services' })) as typeof social;
    const group = await aGroup(t, [police.id, social.id]);
    groupId = group.id;
    referrer = await aUser(t, police.id, [{ role: 'referrer', groupId: group.id }]);
    coordinator = await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }]);
    chair = await aUser(t, police.id, [{ role: 'chair', groupId: group.id }]);
    await t.as(coordinator.accessToken).post(`/api/v1/groups/${group.id}/conferences`).send({ startsAt: '2027-03-23T07:00:00.000Z' }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('lists every read and write of the victim’s and the child’s data with who, agency and when, up to the withdrawal of consent', async () => {
    const body = aReferralBody(groupId, {
      children: [{ firstName: 'Lapsi', lastName: 'Keksitty', livesWithVictim: true }],
      childWelfareNotification: { status: 'made', madeAt: '2027-02-27' },
    });
    const d = await t.as(referrer.accessToken).post('/api/v1/referrals').send(body).expect(201);
    await t.as(referrer.accessToken).post(`/api/v1/referrals/${d.body.id}/submit`).send({}).expect(200);
    await t.as(coordinator.accessToken).get(`/api/v1/referrals/${d.body.id}`).expect(200);
    const caseId = (await t.as(coordinator.accessToken).post(`/api/v1/referrals/${d.body.id}/accept`).send({}).expect(200)).body.caseId;
    await t.as(chair.accessToken).get(`/api/v1/cases/${caseId}`).set('X-Purpose', 'conference-preparation').expect(200);
    const closed = await t.as(chair.accessToken).post(`/api/v1/cases/${caseId}/close`).send({ reason: 'consent_withdrawn' }).expect(200);
    expect(closed.body).toMatchObject({ status: 'closed', closeReason: 'consent_withdrawn' });

    const [r] = await db.query(`SELECT victim_id, child_ids, reference FROM referrals WHERE id = $1`, [d.body.id]);
    // Agencies are told, without detail.
    for (const agency of [police, social]) {
      const mail = await smtp.waitForMail((m) => m.to.includes(agency.email) && m.subject.includes(r.reference) && /suljettu/i.test(m.subject));
      expect([mail.subject, mail.text].join('\n')).not.toMatch(/Testi|Uhri|Lapsi|Keksitty|suostumu/i);
    }

    const report = async (personId: string) => (await t.admin.get(`/api/v1/people/${personId}/access-log?limit=200`).expect(200)).body.items as AccessItem[];
    const victim = await report(r.victim_id);
    const who = (u: TestUser, agency: { id: string; name: string }) => ({ actorId: u.id, actorName: 'Testi Käyttäjä', actorAgencyId: agency.id, actorAgencyName: agency.name });
    const expected: Array<[string, object]> = [
      ['referral.create', who(referrer, police)],
      ['referral.submit', who(referrer, police)],
      ['referral.read', who(coordinator, social)],
      ['referral.accept', who(coordinator, social)],
      ['case.read', who(chair, police)],
      ['case.close', who(chair, police)],
      ['case.consent-withdrawn', who(chair, police)],
    ];
    const chronological = [...victim].reverse();
    for (const [action, actor] of expected) {
      const item = chronological.find((i) => i.action === action);
      expect([action, item]).toEqual([action, expect.objectContaining({ ...actor, occurredAt: expect.stringMatching(/^2027-03-01T08:00:00/) })]);
    }
    expect(chronological.map((i) => i.action)).toEqual(expect.arrayContaining(['case.open']));
    // The child's report names the same reads of the case.
    const child = await report(r.child_ids[0]);
    expect(child.map((i) => i.action)).toEqual(expect.arrayContaining(['referral.create', 'referral.read', 'case.read', 'case.close']));
    expect(child.find((i) => i.action === 'case.read')).toMatchObject(who(chair, police));
    expect(JSON.stringify([victim, child])).not.toMatch(/Uhri|Lapsi|Keksitty|kuristamista/);
  });
});
