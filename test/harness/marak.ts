import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PeopleService } from '../../src/modules/people/people.service.js';
import { aGroup, aUser, anAgency, PASSWORD, type TestUser } from './factories.js';
import type { TestApp } from './test-app.js';

export interface Agency {
  id: string;
  name: string;
  email: string;
}

/** A MARAK group as the actions and meeting tests need it: member agencies, a coordinator, a chair and a representative per agency. */
export interface MarakGroup {
  group: { id: string; version: number };
  coordinatorAgency: Agency;
  police: Agency;
  social: Agency;
  health: Agency;
  coordinator: TestUser;
  chair: TestUser;
  reps: { police: TestUser; social: TestUser; health: TestUser };
}

export async function aMarakGroup(t: TestApp, settings: Record<string, unknown> = {}): Promise<MarakGroup> {
  const coordinatorAgency = (await anAgency(t, { kind: 'victim_support' })) as Agency;
  const police = (await anAgency(t, { kind: 'police' })) as Agency;
  const social = (await anAgency(t, { kind: 'social_services' })) as Agency;
  const health = (await anAgency(t, { kind: 'health' })) as Agency;
  const group = await aGroup(t, [coordinatorAgency.id, police.id, social.id, health.id], Object.keys(settings).length ? { settings } : {});
  const rep = (a: Agency) => aUser(t, a.id, [{ role: 'agency_rep', groupId: group.id }]);
  return {
    group,
    coordinatorAgency,
    police,
    social,
    health,
    coordinator: await aUser(t, coordinatorAgency.id, [{ role: 'coordinator', groupId: group.id }]),
    chair: await aUser(t, coordinatorAgency.id, [{ role: 'chair', groupId: group.id }]),
    reps: { police: await rep(police), social: await rep(social), health: await rep(health) },
  };
}

let caseSeq = 0;

/** An open case of the group straight into the tables (an invented victim; referrals have their own tests). */
export async function anOpenCase(t: TestApp, groupId: string, opts: { isRepeat?: boolean } = {}): Promise<{ id: string; reference: string }> {
  const ds = t.app.get(DataSource);
  const people = t.app.get(PeopleService);
  const id = randomUUID();
  // Each test file has a database of its own; allocated references count from 1, these from 70001.
  const reference = `MRK-2027-${String(70000 + ++caseSeq)}`;
  await ds.transaction(async (tx) => {
    const victim = await people.create(tx, { groupId, role: 'victim', person: { firstName: 'Testi', lastName: 'Uhri' } });
    await tx.query(
      `INSERT INTO cases (id, reference, group_id, victim_id, status, is_repeat, opened_at, last_referral_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $6)`,
      [id, reference, groupId, victim.id, opts.isRepeat ?? false, t.clock.now()],
    );
  });
  return { id, reference };
}

/** Fresh tokens for people after the test clock moved more than 15 minutes. */
export async function relogin(t: TestApp, ...users: TestUser[]): Promise<void> {
  for (const u of users) Object.assign(u, await t.login(u.email, PASSWORD));
}

/** Moves the test clock through the API (which runs the reconciler) and waits until every timer due by then has fired and every mail is out. */
export async function moveClockTo(t: TestApp, at: Date): Promise<void> {
  await t.renewAdmin();
  const res = await t.admin.post('/api/v1/test/clock').send({ now: at.toISOString() });
  if (res.status !== 200) throw new Error(`clock: ${res.status} ${JSON.stringify(res.body)}`);
  await settle(t);
}

/** Waits (polling the database, at most 20 s) until no timer due by the test clock is pending and no mail is waiting to be sent. */
export async function settle(t: TestApp): Promise<void> {
  const ds = t.app.get(DataSource);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [{ timers, mails }] = await ds.query(
      `SELECT (SELECT count(*)::int FROM timers WHERE state = 'pending' AND fire_at <= $1) AS timers,
              (SELECT count(*)::int FROM notifications WHERE state = 'pending') AS mails`,
      [t.clock.now()],
    );
    if (timers === 0 && mails === 0) return;
    if (Date.now() > deadline) throw new Error(`not settled: ${timers} timers due, ${mails} mails pending`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface AgreedAction {
  agencyId: string;
  description: string;
  dueDate?: string;
  dueInWorkingDays?: number;
}

/**
 * A conference of the group at `startsAt` that hears the given cases and agrees their actions,
 * all through the API as the coordinator and the chair do it: schedule, put the cases on the
 * agenda, publish, move the clock to the meeting, attendance, start, an outcome per case,
 * conclude. Returns the conference and, per case, the actions created (as the coordinator sees them).
 */
export async function agreeActions(
  t: TestApp,
  m: MarakGroup,
  startsAt: Date,
  hearings: Array<{ caseId: string; actions: AgreedAction[] }>,
  /** A conference already scheduled (its cases may already be on its agenda, placed by accepting their referrals). */
  existingConferenceId?: string,
): Promise<{ conferenceId: string; actions: Array<Array<{ id: string; agencyId: string; dueDate: string; status: string; version: number }>> }> {
  const as = (u: TestUser) => t.as(u.accessToken);
  await relogin(t, m.coordinator, m.chair);
  let conferenceId = existingConferenceId;
  if (!conferenceId) {
    const scheduled = await as(m.coordinator).post(`/api/v1/groups/${m.group.id}/conferences`).send({ startsAt: startsAt.toISOString() });
    if (scheduled.status !== 201) throw new Error(`schedule: ${scheduled.status} ${JSON.stringify(scheduled.body)}`);
    conferenceId = scheduled.body.id as string;
  }
  const onAgenda = new Set(((await as(m.coordinator).get(`/api/v1/conferences/${conferenceId}`)).body.agenda ?? []).map((i: { caseId: string }) => i.caseId));
  for (const h of hearings.filter((x) => !onAgenda.has(x.caseId))) {
    const r = await as(m.coordinator).post(`/api/v1/conferences/${conferenceId}/agenda`).send({ caseId: h.caseId });
    if (r.status !== 201) throw new Error(`agenda: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const published = await as(m.coordinator).post(`/api/v1/conferences/${conferenceId}/publish`);
  if (published.status !== 200) throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
  await moveClockTo(t, new Date(startsAt.getTime() + 5 * 60_000));
  await relogin(t, m.coordinator, m.chair);
  const attendance = await as(m.chair)
    .put(`/api/v1/conferences/${conferenceId}/attendance`)
    .send({ entries: [m.coordinatorAgency, m.police, m.social, m.health].map((a) => ({ agencyId: a.id, present: true, confidentialityAcknowledged: true })) });
  if (attendance.status !== 200) throw new Error(`attendance: ${attendance.status} ${JSON.stringify(attendance.body)}`);
  const started = await as(m.chair).post(`/api/v1/conferences/${conferenceId}/start`);
  if (started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
  const agenda: Array<{ itemId: string; caseId: string }> = started.body.agenda;
  const actions = [];
  for (const h of hearings) {
    const item = agenda.find((i) => i.caseId === h.caseId)!;
    const r = await as(m.chair)
      .post(`/api/v1/conferences/${conferenceId}/agenda/${item.itemId}/outcome`)
      .send({ riskSummary: 'Korkea riski, seuranta jatkuu.', riskLevel: 'high', actions: h.actions });
    if (r.status !== 200 && r.status !== 201) throw new Error(`outcome: ${r.status} ${JSON.stringify(r.body)}`);
    const list = await as(m.coordinator).get(`/api/v1/actions?caseId=${h.caseId}&status=assigned`).expect(200);
    actions.push(list.body.items);
  }
  const concluded = await as(m.chair).post(`/api/v1/conferences/${conferenceId}/conclude`);
  if (concluded.status !== 200) throw new Error(`conclude: ${concluded.status} ${JSON.stringify(concluded.body)}`);
  return { conferenceId, actions };
}
