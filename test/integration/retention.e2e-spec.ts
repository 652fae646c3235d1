import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { RetentionErasers } from '../../src/modules/retention/retention-erasers.js';
import { ANONYMISED_TEXT, RETENTION_RUN_LOCK_KEY, RetentionService } from '../../src/modules/retention/retention.service.js';
import { loadRawStatistics } from '../../src/modules/statistics/statistics-query.js';
import { FieldCryptoService } from '../../src/platform/crypto/field-crypto.service.js';
import { aGroup, aUser, anAgency, type TestUser } from '../harness/factories.js';
import { JobWaiter } from '../harness/queue-waiter.js';
import { aReferralBody } from '../harness/referrals.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

const run = promisify(execFile);

/**
 * Retention (DOMAIN.md): closed cases are anonymised once the group's retention period has
 * passed since the last hearing (or closure, never heard): personal data and free text gone,
 * aggregates kept, one audit row per case, idempotent. Time moves only with the test clock.
 */
describe('retention', () => {
  let t: TestApp;
  let db: DataSource;
  let crypto: FieldCryptoService;
  let retention: RetentionService;
  let coordinator: TestUser;
  let referrer: TestUser;
  let advocate: TestUser;
  let shelter: { id: string };
  let groupA: { id: string };
  let groupB: { id: string };
  const erased: string[] = [];
  const c: Record<'never' | 'heard' | 'open' | 'longer', { id: string; victimId: string; personIds: string[]; referralId: string }> = {} as never;
  const as = (u: TestUser) => t.as(u.accessToken);

  async function aCase(groupId: string, coordinatorOf: TestUser, children: object[] = []) {
    const d = await as(referrer).post('/api/v1/referrals').send(aReferralBody(groupId, { children, ...(children.length ? { childWelfareNotification: { status: 'made', madeAt: '2027-02-27' } } : {}), immediateSafetyMeasures: 'Turvakoti järjestetty.' })).expect(201);
    await as(referrer).post(`/api/v1/referrals/${d.body.id}/submit`).send({}).expect(200);
    const caseId = (await as(coordinatorOf).post(`/api/v1/referrals/${d.body.id}/accept`).send({}).expect(200)).body.caseId as string;
    const [r] = await db.query(`SELECT victim_id, perpetrator_ids, child_ids FROM referrals WHERE id = $1`, [d.body.id]);
    return { id: caseId, victimId: r.victim_id, personIds: [r.victim_id, ...r.perpetrator_ids, ...r.child_ids], referralId: d.body.id as string };
  }

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    crypto = t.app.get(FieldCryptoService);
    retention = t.app.get(RetentionService);
    // Another module's eraser, registered the way agenda outcomes will register theirs.
    t.app.get(RetentionErasers).register('test_probe', async ({ caseId }) => (erased.push(caseId), 0));
    t.clock.set(new Date('2027-03-01T08:00:00.000Z'));
    await t.renewAdmin();
    const police = await anAgency(t, { kind: 'police' });
    shelter = await anAgency(t, { kind: 'shelter' });
    groupA = await aGroup(t, [police.id, shelter.id]);
    groupB = await aGroup(t, [police.id], { settings: { retentionYears: 10 } });
    referrer = await aUser(t, police.id, [{ role: 'referrer', groupId: groupA.id }, { role: 'referrer', groupId: groupB.id }]);
    coordinator = await aUser(t, police.id, [{ role: 'coordinator', groupId: groupA.id }]);
    const coordinatorB = await aUser(t, police.id, [{ role: 'coordinator', groupId: groupB.id }]);
    advocate = await aUser(t, shelter.id, [{ role: 'agency_rep', groupId: groupA.id }]);
    for (const [g, u] of [[groupA, coordinator], [groupB, coordinatorB]] as const) {
      await as(u).post(`/api/v1/groups/${g.id}/conferences`).send({ startsAt: '2027-03-23T07:00:00.000Z' }).expect(201);
    }
    c.never = await aCase(groupA.id, coordinator, [{ firstName: 'Lapsi', lastName: 'Keksitty', livesWithVictim: true }]);
    c.heard = await aCase(groupA.id, coordinator);
    c.open = await aCase(groupA.id, coordinator);
    c.longer = await aCase(groupB.id, coordinatorB);

    // Case "never": the victim's views, an action with history, closed with a note on 1 March 2027 and never heard.
    await as(coordinator).put(`/api/v1/cases/${c.never.id}/advocate`).send({ agencyId: shelter.id, userId: advocate.id }).expect(200);
    await as(advocate).post(`/api/v1/cases/${c.never.id}/victim-views`).send({ views: 'Uhri toivoo lähestymiskieltoa.' }).expect(201);
    const actionId = randomUUID();
    await db.query(
      `INSERT INTO actions (id, case_id, group_id, agency_id, description_enc, due_date, status, assigned_at, outcome_enc, reason_enc, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, '2027-03-20', 'declined', now(), $6, $7, now(), now())`,
      [actionId, c.never.id, groupA.id, police.id, crypto.encrypt('Turvasuunnitelma Uhrin kanssa', { table: 'actions', column: 'description', rowId: actionId }),
        crypto.encrypt('Tapattu', { table: 'actions', column: 'outcome', rowId: actionId }), crypto.encrypt('Ei resursseja', { table: 'actions', column: 'reason', rowId: actionId })],
    );
    const eventId = randomUUID();
    await db.query(`INSERT INTO action_events (id, action_id, at, event, reason_enc) VALUES ($1, $2, now(), 'declined', $3)`, [eventId, actionId, crypto.encrypt('Ei resursseja', { table: 'action_events', column: 'reason', rowId: eventId })]);
    // Case "heard": heard on 23 March 2027, closed only on 1 June 2027.
    const [conference] = await db.query(`SELECT id FROM conferences WHERE group_id = $1`, [groupA.id]);
    await db.query(`UPDATE agenda_items SET status = 'heard' WHERE case_id = $1 AND conference_id = $2`, [c.heard.id, conference.id]);
    const [heardItem] = await db.query(`SELECT id FROM agenda_items WHERE case_id = $1 AND conference_id = $2`, [c.heard.id, conference.id]);
    await db.query(`INSERT INTO agenda_outcomes (item_id, risk_summary_enc, risk_level, recorded_by, recorded_at) VALUES ($1, $2, 'high', $3, now())`, [
      heardItem.id,
      crypto.encrypt('Uhri pelkää tekijää.', { table: 'agenda_outcomes', column: 'risk_summary', rowId: heardItem.id }),
      coordinator.id,
    ]);
    // Heard before it closes: a closing case leaves an agenda only while it is still to be heard.
    for (const k of ['never', 'heard', 'longer'] as const) await as(k === 'longer' ? coordinatorB : coordinator).post(`/api/v1/cases/${c[k].id}/close`).send({ reason: 'actions_completed', note: 'Uhri muutti turvaan.' }).expect(200);
    await db.query(`UPDATE cases SET closed_at = '2027-06-01T09:00:00Z' WHERE id = $1`, [c.heard.id]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const personRow = (id: string) => db.query(`SELECT * FROM people WHERE id = $1`, [id]).then((r) => r[0]);
  const anonymisedAt = async (caseId: string) => (await db.query(`SELECT anonymised_at FROM cases WHERE id = $1`, [caseId]))[0].anonymised_at as Date | null;

  it('anonymises a closed case five years after its closure when it was never heard, keeping the aggregates', async () => {
    const period = [new Date('2027-01-01T00:00:00Z'), new Date('2028-01-01T00:00:00Z')] as const;
    const before = await loadRawStatistics(db, [groupA.id], ...period);
    t.clock.set(new Date('2032-02-28T12:00:00.000Z'));
    expect(await retention.due()).toEqual([]);
    t.clock.set(new Date('2032-03-05T00:00:00.000Z'));
    const due = await retention.due();
    expect(due.map((d) => d.caseId)).toEqual([c.never.id]);
    expect(due[0]).toMatchObject({ lastHearingAt: null, retainedFrom: expect.stringMatching(/^2027-03-01T/), retentionYears: 5 });
    expect(await retention.runDue()).toEqual({ anonymised: 1, skipped: 0, failed: 0 });

    expect(await anonymisedAt(c.never.id)).toBeInstanceOf(Date);
    for (const id of c.never.personIds) {
      const p = await personRow(id);
      expect(p.anonymised_at).toBeInstanceOf(Date);
      for (const [column, value] of Object.entries(p)) if (/_enc$|_bidx$/.test(column)) expect([column, value]).toEqual([column, null]);
    }
    expect((await personRow(c.never.victimId)).stat_gender).toBe('female');
    const [r] = await db.query(`SELECT * FROM referrals WHERE id = $1`, [c.never.referralId]);
    expect(crypto.decrypt(r.summary_enc, { table: 'referrals', column: 'summary', rowId: r.id })).toBe(ANONYMISED_TEXT);
    expect(crypto.decrypt(r.answers_enc, { table: 'referrals', column: 'answers', rowId: r.id })).toBe('{}');
    expect([r.immediate_safety_enc, r.professional_judgement_enc, r.reason_enc]).toEqual([null, null, null]);
    expect(r.score).toBe(15);
    expect(await db.query(`SELECT 1 FROM victim_views WHERE case_id = $1`, [c.never.id])).toEqual([]);
    const [a] = await db.query(`SELECT * FROM actions WHERE case_id = $1`, [c.never.id]);
    expect(crypto.decrypt(a.description_enc, { table: 'actions', column: 'description', rowId: a.id })).toBe(ANONYMISED_TEXT);
    expect([a.outcome_enc, a.reason_enc, a.status]).toEqual([null, null, 'cancelled']); // closing the case cancelled the open (declined) action
    expect((await db.query(`SELECT reason_enc FROM action_events WHERE action_id = $1`, [a.id]))[0].reason_enc).toBeNull();
    expect((await db.query(`SELECT close_note_enc, reference FROM cases WHERE id = $1`, [c.never.id]))[0]).toMatchObject({ close_note_enc: null, reference: expect.stringMatching(/^MRK-/) });

    const audit = await db.query(`SELECT actor_id, subject_ids, details FROM audit_log WHERE action = 'case.anonymise' AND object_id = $1`, [c.never.id]);
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_id).toBeNull();
    expect([...audit[0].subject_ids].sort()).toEqual([...c.never.personIds].sort());
    expect(JSON.stringify(audit[0].details)).not.toMatch(/Uhri|Testi|Keksitty|Lapsi/);
    expect(erased).toEqual([c.never.id]);
    // The statistics of 2027 read the same after the anonymisation.
    expect(await loadRawStatistics(db, [groupA.id], ...period)).toEqual(before);
  });

  it('counts from the last hearing, not the later closure, through the daily job; open cases and longer periods wait', async () => {
    t.clock.set(new Date('2032-03-24T00:00:00.000Z'));
    expect((await retention.due()).map((d) => d.caseId)).toEqual([c.heard.id]);
    const waiter = await new JobWaiter('retention', t.config.queuePrefix).ready();
    try {
      const job = await t.app.get<Queue>(getQueueToken('retention')).add('retention.run', {});
      expect(await waiter.wait(job.id!)).toEqual({ ok: true, value: { anonymised: 1, skipped: 0, failed: 0 } });
    } finally {
      await waiter.close();
    }
    expect(await anonymisedAt(c.heard.id)).toBeInstanceOf(Date);
    expect(await anonymisedAt(c.open.id)).toBeNull();
    expect(await anonymisedAt(c.longer.id)).toBeNull();
    expect((await personRow(c.open.victimId)).first_name_enc).toBeInstanceOf(Buffer);
    const schedulers = await t.app.get<Queue>(getQueueToken('retention')).getJobSchedulers();
    expect(schedulers.map((s) => s.key)).toContain('retention-daily');
  });

  it('erases the hearing’s risk summary and keeps its risk level', async () => {
    const [o] = await db.query(`SELECT o.item_id, o.risk_summary_enc, o.risk_level FROM agenda_outcomes o JOIN agenda_items a ON a.id = o.item_id WHERE a.case_id = $1`, [c.heard.id]);
    expect(crypto.decrypt(o.risk_summary_enc, { table: 'agenda_outcomes', column: 'risk_summary', rowId: o.item_id })).toBe(ANONYMISED_TEXT);
    expect(o.risk_level).toBe('high');
  });

  it('is idempotent: nothing is due again and a second run writes no audit rows', async () => {
    const before = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'case.anonymise'`);
    expect(await retention.runDue()).toEqual({ anonymised: 0, skipped: 0, failed: 0 });
    expect(await retention.anonymise({ caseId: c.never.id })).toBe(false);
    expect(await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'case.anonymise'`)).toEqual(before);
  });

  it('lists in the dry run what would go: ids, references and dates only, changing nothing', async () => {
    const { stdout } = await run(process.execPath, [path.resolve('dist/src/cli/retention-dry-run.js'), '--at', '2037-03-10T00:00:00Z'], {
      env: { ...process.env, DATABASE_URL: t.db.url, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toEqual({ dryRun: true, at: '2037-03-10T00:00:00.000Z', due: 1 });
    expect(lines[0]).toEqual(expect.objectContaining({ caseId: c.longer.id, reference: expect.stringMatching(/^MRK-/), retentionYears: 10 }));
    expect(stdout).not.toMatch(/Uhri|Testi|Keksitty/);
    expect(await anonymisedAt(c.longer.id)).toBeNull();
  });

  it('runs once at a time: a run that finds another worker running does nothing', async () => {
    t.clock.set(new Date('2037-03-10T00:00:00.000Z'));
    expect((await retention.due()).map((d) => d.caseId)).toEqual([c.longer.id]);
    const other = db.createQueryRunner();
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [RETENTION_RUN_LOCK_KEY]);
      expect(await retention.runDue()).toEqual({ anonymised: 0, skipped: 0, failed: 0 });
    } finally {
      await other.query('SELECT pg_advisory_unlock($1)', [RETENTION_RUN_LOCK_KEY]);
      await other.release();
    }
    expect(await anonymisedAt(c.longer.id)).toBeNull();
  });

  it('reports a case locked by a change in progress as skipped, does not fetch it again (a full batch of them ends the run), and takes it on the next run', async () => {
    t.clock.set(new Date('2037-03-10T00:00:00.000Z'));
    expect((await retention.due()).map((d) => d.caseId)).toEqual([c.longer.id]);
    const holder = db.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      await holder.query(`SELECT id FROM cases WHERE id = $1 FOR UPDATE`, [c.longer.id]);
      expect(await retention.runDue()).toEqual({ anonymised: 0, skipped: 1, failed: 0 });
      // Batches of one: the skipped case fills the batch, and the run still ends.
      expect(await retention.runDue(1)).toEqual({ anonymised: 0, skipped: 1, failed: 0 });
      await holder.rollbackTransaction();
    } finally {
      await holder.release();
    }
    expect(await anonymisedAt(c.longer.id)).toBeNull();
    expect(await retention.runDue()).toEqual({ anonymised: 1, skipped: 0, failed: 0 });
    expect(await anonymisedAt(c.longer.id)).toBeInstanceOf(Date);
  });
});
