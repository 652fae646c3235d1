import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { addWorkingDaysAt, toHelsinkiDate } from '../../libs/business-calendar/index.js';
import { PROBE_TIMER_KIND, probeReference } from '../../src/modules/timers/testing/probe-timer.module.js';
import { TimersService } from '../../src/modules/timers/timers.service.js';
import { SmtpCatcher } from '../harness/smtp-catcher.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

/** Reminders over HTTP: the clock jumps two weeks and every due reminder arrives, in order, once. */
describe('reminders when time moves', () => {
  let smtp: SmtpCatcher;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    t = await startTestApp({ smtp });
    t.clock.set(new Date('2027-06-17T10:00:00.000Z')); // Thursday before Midsummer, 13:00 in Helsinki
    await t.renewAdmin();
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  it('jumps two weeks and sees every reminder due by then arrive in order, none twice', async () => {
    const ds = t.app.get(DataSource);
    const timers = t.app.get(TimersService);
    const start = t.clock.now();
    // Deadlines in Finnish working days at 09:00 Helsinki: Midsummer Eve and Day are skipped.
    const plan = [8, 1, 5, 3, 12, 2].map((n) => ({ n, subjectId: randomUUID(), fireAt: addWorkingDaysAt(start, n, '09:00') }));
    await ds.transaction(async (tx) => {
      for (const p of plan) await timers.schedule(tx, { kind: PROBE_TIMER_KIND, subjectType: 'action', subjectId: p.subjectId, fireAt: p.fireAt });
    });
    expect(toHelsinkiDate(plan.find((p) => p.n === 1)!.fireAt)).toBe('2027-06-18');
    const due = plan.filter((p) => p.fireAt.getTime() <= start.getTime() + 14 * 86_400_000).sort((a, b) => a.fireAt.getTime() - b.fireAt.getTime());
    expect(due.map((p) => p.n)).toEqual([1, 2, 3, 5, 8]);

    const res = await t.admin.post('/api/v1/test/clock').send({ advance: 'P14D' }).expect(200);
    expect(res.body.now).toBe('2027-07-01T10:00:00.000Z');

    const mails = await smtp.waitForMails(due.length);
    expect(mails.map((m) => m.subject.match(/TEST-[0-9A-F]+/)?.[0])).toEqual(due.map((p) => probeReference(p.subjectId)));
    // The one due later has not fired; nothing else arrived.
    const later = plan.find((p) => p.n === 12)!;
    expect((await ds.query(`SELECT state FROM timers WHERE subject_id = $1`, [later.subjectId]))[0].state).toBe('pending');
    await t.renewAdmin();
    await t.admin.post('/api/v1/test/clock').send({ advance: 'P7D' }).expect(200);
    await smtp.waitForMails(due.length + 1);
    expect(smtp.mails.map((m) => m.messageId)).toEqual([...new Set(smtp.mails.map((m) => m.messageId))]);
    expect(smtp.mails).toHaveLength(plan.length);
  });

  it('lists notifications for admins at GET /notifications with a cursor', async () => {
    await t.renewAdmin();
    const first = await t.admin.get('/api/v1/notifications?status=sent&limit=4').expect(200);
    expect(first.body.items).toHaveLength(4);
    expect(first.body.items[0]).toMatchObject({ kind: 'test.probe', status: 'sent', attempts: 1, recipient: 'probe@marak.test' });
    const rest = await t.admin.get(`/api/v1/notifications?status=sent&limit=4&cursor=${first.body.nextCursor}`).expect(200);
    expect(rest.body.items).toHaveLength(2);
    expect(rest.body.nextCursor).toBeNull();
    await t.http.get('/api/v1/notifications').expect(401);
    await t.admin.get('/api/v1/notifications?cursor=bogus').expect(400);
  });

  it('serves Bull Board at /admin/queues to admins only', async () => {
    await t.http.get('/admin/queues').expect(401);
    // The identity module's verifier answers only admin or not: a bad token is refused too.
    await t.http.get('/admin/queues').set('Authorization', 'Bearer not.a.token').expect(403);
    const page = await t.admin.get('/admin/queues').expect(200);
    expect(page.text).toContain('<html');
    const api = await t.admin.get('/admin/queues/api/queues').expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name)).toEqual(expect.arrayContaining(['timers', 'notifications']));
  });
});
