import { DataSource } from 'typeorm';
import { addCalendarDays, helsinkiDateTime, toHelsinkiDate } from '../../libs/business-calendar/index.js';
import { aMarakGroup, agreeActions, anOpenCase, moveClockTo, relogin, settle, type MarakGroup } from '../harness/marak.js';
import { SmtpCatcher, type CaughtMail } from '../harness/smtp-catcher.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';
import type { TestUser } from '../harness/factories.js';

/**
 * The whole follow-up and escalation ladder of DOMAIN.md step 9 with the default settings, over
 * a month around Midsummer 2027, black-box: three actions agreed at the June conference, one
 * done on time, one late, one never acknowledged. The clock moves a day at a time (09:05
 * Helsinki, after the 09:00 rungs) and the mails caught over SMTP are compared with the ladder,
 * day by day and in order.
 */
describe('actions: the reminder and escalation ladder', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;
  let m: MarakGroup;
  let caseX: { id: string; reference: string };
  let caseY: { id: string; reference: string };
  let july: string;
  const ids: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };
  const as = (u: TestUser) => t.as(u.accessToken);
  /** Every action mail, labelled with the Helsinki day the clock stood on when it arrived. */
  const seen: string[] = [];
  let counted = 0;

  const who = (m2: CaughtMail) => {
    const to = m2.to.join(',');
    for (const [label, email] of Object.entries({ police: m.police.email, social: m.social.email, health: m.health.email, coordinator: m.coordinator.email, chair: m.chair.email })) {
      if (to.includes(email)) return label;
    }
    return to;
  };
  const KINDS: Array<[RegExp, string]> = [
    [/^Uusi toimenpide/, 'assigned'],
    [/^Muistutus: kuittaa toimenpide/, 'acknowledge-reminder'],
    [/^Kuittaamaton toimenpide/, 'acknowledge-escalation'],
    [/^Toimenpiteen määräpäivä lähestyy/, 'due-reminder'],
    [/^Myöhässä oleva toimenpide/, 'overdue'],
  ];
  const kindOf = (m2: CaughtMail) => KINDS.find(([re]) => re.test(m2.subject))?.[1] ?? m2.subject;
  const refOf = (m2: CaughtMail) => (m2.subject.includes(caseX.reference) ? 'X' : m2.subject.includes(caseY.reference) ? 'Y' : '?');

  /** Labels the action mails that arrived since the last call with the clock's Helsinki day; within a day, sorted (their rungs share 09:00). */
  function collect(): void {
    const fresh = smtp.mails.slice(counted).filter((x) => /toimenpi/i.test(x.subject));
    counted = smtp.mails.length;
    const day = toHelsinkiDate(t.clock.now());
    seen.push(...fresh.map((x) => `${day} ${who(x)} ${kindOf(x)} ${refOf(x)}`).sort());
  }

  async function day(date: string, time = '09:05'): Promise<void> {
    await moveClockTo(t, helsinkiDateTime(date, time));
    collect();
  }

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
    t.clock.set(helsinkiDateTime('2027-05-17', '10:00'));
    await t.renewAdmin();
    m = await aMarakGroup(t);
    caseX = await anOpenCase(t, m.group.id);
    caseY = await anOpenCase(t, m.group.id);
    // The July conference takes the overdue actions' cases for review.
    const res = await as(m.coordinator).post(`/api/v1/groups/${m.group.id}/conferences`).send({ startsAt: helsinkiDateTime('2027-07-13', '09:00').toISOString() }).expect(201);
    july = res.body.id;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('agrees three actions at the June conference; a due date on Midsummer Eve moves to Monday', async () => {
    const agreed = await agreeActions(t, m, helsinkiDateTime('2027-06-08', '09:00'), [
      {
        caseId: caseX.id,
        actions: [
          { agencyId: m.police.id, description: 'Osoitteen prioriteettimerkintä hälytysvasteeseen.', dueDate: '2027-06-25' },
          { agencyId: m.social.id, description: 'Turvasuunnitelmatapaaminen uhrin kanssa.', dueInWorkingDays: 10 },
        ],
      },
      { caseId: caseY.id, actions: [{ agencyId: m.health.id, description: 'Vammojen dokumentointi ja terveysseuranta.', dueDate: '2027-06-18' }] },
    ]);
    const [x, y] = agreed.actions;
    const police = x!.find((a) => a.agencyId === m.police.id)!;
    const social = x!.find((a) => a.agencyId === m.social.id)!;
    const health = y![0]!;
    expect(police.dueDate).toBe('2027-06-28'); // Midsummer Eve (Fri 25 June) → Monday 28 June
    expect(social.dueDate).toBe('2027-06-22'); // ten working days from Tuesday 8 June
    expect(health.dueDate).toBe('2027-06-18');
    ids.A = police.id;
    ids.B = social.id;
    ids.C = health.id;
    await settle(t);
    collect();
  });

  it('moves through the month: acknowledgements, completions and the ladder’s mails, day by day', async () => {
    // Wednesday 9 June: social and health acknowledge; the police never do.
    await day('2027-06-09', '10:00');
    await relogin(t, m.reps.social, m.reps.health, m.reps.police);
    await as(m.reps.social).post(`/api/v1/actions/${ids.B}/acknowledge`).expect(200);
    await as(m.reps.health).post(`/api/v1/actions/${ids.C}/acknowledge`).expect(200);
    for (let d = '2027-06-10'; d <= '2027-07-08'; d = addCalendarDays(d, 1)) {
      await day(d);
      if (d === '2027-06-18') {
        // Social completes on time (due 22 June), after that morning's reminder.
        await day(d, '12:00');
        await relogin(t, m.reps.social);
        await as(m.reps.social).post(`/api/v1/actions/${ids.B}/complete`).send({ outcome: 'Tapaaminen pidetty.' }).expect(200);
      }
      if (d === '2027-06-24') {
        // Health completes three days late, before the chair would have been told.
        await day(d, '12:00');
        await relogin(t, m.reps.health);
        await as(m.reps.health).post(`/api/v1/actions/${ids.C}/complete`).send({ outcome: 'Dokumentoitu.' }).expect(200);
      }
    }
    expect(seen).toEqual([
      '2027-06-08 health assigned Y',
      '2027-06-08 police assigned X',
      '2027-06-08 social assigned X',
      '2027-06-10 police acknowledge-reminder X',
      '2027-06-14 coordinator acknowledge-escalation X',
      '2027-06-16 health due-reminder Y',
      '2027-06-18 health due-reminder Y',
      '2027-06-18 social due-reminder X',
      '2027-06-21 health overdue Y',
      '2027-06-23 coordinator overdue Y',
      '2027-06-23 police due-reminder X',
      '2027-06-28 police due-reminder X',
      '2027-06-29 police overdue X',
      '2027-07-01 coordinator overdue X',
      '2027-07-06 chair overdue X',
    ]);
  });

  it('mails carry the reference and a link, never the action’s text or a person', () => {
    const actionMails = smtp.mails.filter((x) => /toimenpi/i.test(x.subject));
    for (const mail of actionMails) {
      const all = [mail.subject, mail.text, mail.html].join('\n');
      expect(all).not.toMatch(/Osoitteen|Turvasuunnitelma|Vammojen|Testi|Uhri/);
      expect(mail.text).toMatch(/\/actions\/[0-9a-f-]{36}/);
    }
  });

  it('shows the escalation level and overdue flag, and the whole ladder in the action’s history', async () => {
    await relogin(t, m.coordinator, m.reps.police);
    const a = await as(m.reps.police).get(`/api/v1/actions/${ids.A}`).expect(200);
    expect(a.body).toMatchObject({ status: 'assigned', overdue: true, escalationLevel: 3, dueDate: '2027-06-28', caseReference: caseX.reference });
    expect(a.body.history.map((e: { event: string }) => e.event)).toEqual([
      'assigned',
      'action.acknowledge-reminder',
      'action.acknowledge-escalation',
      'action.due-reminder',
      'action.due-reminder',
      'action.overdue.agency',
      'action.overdue.coordinator',
      'action.overdue.chair',
    ]);
    const c = await as(m.coordinator).get(`/api/v1/actions/${ids.C}`).expect(200);
    expect(c.body).toMatchObject({ status: 'completed', overdue: false, escalationLevel: 2, outcome: 'Dokumentoitu.' });
    const b = await as(m.coordinator).get(`/api/v1/actions/${ids.B}`).expect(200);
    expect(b.body).toMatchObject({ status: 'completed', escalationLevel: 0 });
    // Nothing is left pending for the completed actions; the open one has fired every rung.
    const ds = t.app.get(DataSource);
    const pending = await ds.query(`SELECT subject_id, kind FROM timers WHERE state = 'pending' AND subject_type = 'action'`);
    expect(pending).toEqual([]);
  });

  it('lists every overdue action’s case for review on the next conference’s agenda', async () => {
    await relogin(t, m.coordinator);
    const res = await as(m.coordinator).get(`/api/v1/conferences/${july}`).expect(200);
    const review = res.body.agenda.filter((i: { kind: string }) => i.kind === 'review').map((i: { caseId: string }) => i.caseId);
    expect(review.sort()).toEqual([caseX.id, caseY.id].sort());
  });

  it('answers the agency’s inbox with its overdue actions only', async () => {
    await relogin(t, m.reps.police, m.reps.health);
    const police = await as(m.reps.police).get('/api/v1/actions?overdue=true').expect(200);
    expect(police.body.items.map((a: { id: string }) => a.id)).toEqual([ids.A]);
    const health = await as(m.reps.health).get('/api/v1/actions?overdue=true').expect(200);
    expect(health.body.items).toEqual([]);
    const healthAll = await as(m.reps.health).get('/api/v1/actions').expect(200);
    expect(healthAll.body.items.map((a: { id: string; status: string }) => [a.id, a.status])).toEqual([[ids.C, 'completed']]);
    // overdue=false is the rest of the inbox: together the two are the whole of it, without overlap.
    const policeAll = await as(m.reps.police).get('/api/v1/actions').expect(200);
    const policeNot = await as(m.reps.police).get('/api/v1/actions?overdue=false').expect(200);
    expect(policeNot.body.items.every((a: { overdue: boolean }) => !a.overdue)).toBe(true);
    expect([...police.body.items, ...policeNot.body.items].map((a: { id: string }) => a.id).sort()).toEqual(policeAll.body.items.map((a: { id: string }) => a.id).sort());
    const healthNot = await as(m.reps.health).get('/api/v1/actions?overdue=false').expect(200);
    expect(healthNot.body.items.map((a: { id: string }) => a.id)).toEqual([ids.C]);
  });
});
