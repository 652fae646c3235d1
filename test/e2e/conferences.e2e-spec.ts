import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { isWorkingDay, toHelsinkiDate } from '../../libs/business-calendar/index.js';
import { ConferencesModule } from '../../src/modules/conferences/conferences.module.js';
import { ConferencesService, type PlaceCaseInput } from '../../src/modules/conferences/conferences.service.js';
import { PeopleService } from '../../src/modules/people/people.service.js';
import { aGroup, aUser, anAgency, type TestUser } from '../harness/factories.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

const PROBLEM = 'https://marak.example/problems/';

describe('conferences', () => {
  let t: TestApp;
  let ds: DataSource;
  let conferences: ConferencesService;
  let people: PeopleService;
  let social: { id: string };
  let police: { id: string };
  let caseSeq = 0;

  beforeAll(async () => {
    t = await startTestApp({ imports: [ConferencesModule] });
    ds = t.app.get(DataSource);
    conferences = t.app.get(ConferencesService);
    people = t.app.get(PeopleService);
    social = await anAgency(t, { kind: 'social_services' });
    police = await anAgency(t, { kind: 'police' });
  });
  afterAll(() => t?.close());

  /** A group with both agencies, its coordinator (social services) and a chair (police). */
  async function aGroupWithStaff(settings: Record<string, unknown> = {}): Promise<{ id: string; coord: TestUser; chair: TestUser }> {
    const group = await aGroup(t, [social.id, police.id], Object.keys(settings).length ? { settings } : {});
    const coord = await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }]);
    const chair = await aUser(t, police.id, [{ role: 'chair', groupId: group.id }]);
    return { id: group.id, coord, chair };
  }

  /**
   * An open case in the group, straight into the tables (the cases module comes later): the
   * victim through PeopleService, the case row by SQL.
   */
  async function aCase(groupId: string, opts: { isRepeat?: boolean; status?: 'open' | 'closed' } = {}): Promise<{ id: string; reference: string }> {
    const id = randomUUID();
    const reference = `MRK-2027-${String(++caseSeq).padStart(5, '0')}`;
    const closed = opts.status === 'closed';
    await ds.transaction(async (tx) => {
      const victim = await people.create(tx, { groupId, role: 'victim', person: { firstName: 'Testi' } });
      await tx.query(
        `INSERT INTO cases (id, reference, group_id, victim_id, status, is_repeat, opened_at, last_referral_at, closed_at, close_reason)
         VALUES ($1, $2, $3, $4, $5, $6, now(), now(), $7, $8)`,
        [id, reference, groupId, victim.id, closed ? 'closed' : 'open', opts.isRepeat ?? false, closed ? new Date() : null, closed ? 'other' : null],
      );
    });
    return { id, reference };
  }

  async function aConference(coord: TestUser, groupId: string, body: Record<string, unknown>): Promise<{ id: string; startsAt: string; cutoffAt: string; extraordinary: boolean; version: number }> {
    const res = await t.as(coord.accessToken).post(`/api/v1/groups/${groupId}/conferences`).send(body);
    if (res.status !== 201) throw new Error(`conference: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  const place = (p: Omit<PlaceCaseInput, 'kind' | 'isRepeat' | 'score'> & Partial<PlaceCaseInput>) =>
    ds.transaction((tx) => conferences.placeCase(tx, { kind: 'new', isRepeat: false, score: null, ...p }));

  describe('scheduling', () => {
    it('generates the second Tuesdays of 2027 at 09:00 Helsinki, none on a holiday, and nothing more the second time', async () => {
      const g = await aGroupWithStaff();
      const first = await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences/generate`).send({ from: '2027-01-01', to: '2027-12-31' }).expect(201);
      expect(first.body.created).toBe(12);
      const starts = first.body.items.map((c: { startsAt: string }) => c.startsAt);
      expect(starts).toEqual([
        '2027-01-12T07:00:00.000Z',
        '2027-02-09T07:00:00.000Z',
        '2027-03-09T07:00:00.000Z',
        '2027-04-13T06:00:00.000Z', // summer time from 28 March
        '2027-05-11T06:00:00.000Z',
        '2027-06-08T06:00:00.000Z',
        '2027-07-13T06:00:00.000Z',
        '2027-08-10T06:00:00.000Z',
        '2027-09-14T06:00:00.000Z',
        '2027-10-12T06:00:00.000Z', // winter time from 31 October
        '2027-11-09T07:00:00.000Z',
        '2027-12-14T07:00:00.000Z',
      ]);
      for (const s of starts) expect(isWorkingDay(toHelsinkiDate(new Date(s)))).toBe(true);
      const january = first.body.items[0];
      expect(january).toMatchObject({ groupId: g.id, status: 'planned', capacity: 15, minutesPerCase: 15, extraordinary: false, location: null, version: 1, scheduledCount: 0 });
      // 15 slots of 15 minutes and a 30-minute frame.
      expect(january.endsAt).toBe('2027-01-12T11:15:00.000Z');

      const again = await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences/generate`).send({ from: '2027-01-01', to: '2027-12-31' }).expect(201);
      expect(again.body.created).toBe(0);
      expect(again.body.items.map((c: { id: string }) => c.id)).toEqual(first.body.items.map((c: { id: string }) => c.id));
      const overlapping = await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences/generate`).send({ from: '2027-06-01', to: '2028-01-31' }).expect(201);
      expect(overlapping.body.created).toBe(1); // only 2028-01-11 is new

      const list = await t.as(g.chair.accessToken).get(`/api/v1/groups/${g.id}/conferences`).query({ from: '2027-01-01', to: '2027-12-31' }).expect(200);
      expect(list.body.items).toHaveLength(12);
      const page = await t.as(g.chair.accessToken).get(`/api/v1/groups/${g.id}/conferences`).query({ from: '2027-01-01', limit: 5 }).expect(200);
      expect(page.body.items).toHaveLength(5);
      const next = await t.as(g.chair.accessToken).get(`/api/v1/groups/${g.id}/conferences`).query({ from: '2027-01-01', limit: 50, cursor: page.body.nextCursor }).expect(200);
      expect(next.body.items[0].startsAt).toBe('2027-06-08T06:00:00.000Z');
      expect(next.body.items).toHaveLength(8);
      expect(next.body.nextCursor).toBeNull();
    });

    it('moves a cadence date on a weekend or public holiday to the next working day, at the group’s meeting time', async () => {
      const g = await aGroupWithStaff({ cadence: 'FREQ=MONTHLY;BYMONTHDAY=6', meetingStartTime: '13:00' });
      const res = await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences/generate`).send({ from: '2027-11-01', to: '2028-01-31' }).expect(201);
      expect(res.body.items.map((c: { startsAt: string }) => c.startsAt)).toEqual([
        '2027-11-08T11:00:00.000Z', // Sat 6 Nov → Mon 8 Nov
        '2027-12-07T11:00:00.000Z', // Mon 6 Dec, Independence Day → Tue 7 Dec
        '2028-01-07T11:00:00.000Z', // Thu 6 Jan, Epiphany → Fri 7 Jan
      ]);
    });

    it('refuses a period that is not one: 400', async () => {
      const g = await aGroupWithStaff();
      const backwards = await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences/generate`).send({ from: '2027-12-31', to: '2027-01-01' }).expect(400);
      expect(backwards.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
      await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences/generate`).send({ from: '2027-02-30', to: '2027-03-01' }).expect(400);
      await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences/generate`).send({ from: '2027-01-01', to: '2030-01-01' }).expect(400);
    });

    it('puts the cut-off exactly 8 working days before the meeting, across holidays', async () => {
      const g = await aGroupWithStaff();
      // Tue 12 Jan 2027 09:00: Jan 11, 8, 7, 5 (6th is Epiphany), 4, Dec 31, 30, 29 → Tue 29 Dec 09:00.
      const january = await aConference(g.coord, g.id, { startsAt: '2027-01-12T09:00:00+02:00', location: 'Poliisitalo, huone 3' });
      expect(january.cutoffAt).toBe('2026-12-29T07:00:00.000Z');
      // Tue 14 Dec 2027 09:00: Dec 13, 10, 9, 8, 7, (6th is Independence Day), 3, 2, 1 → Wed 1 Dec.
      const december = await aConference(g.coord, g.id, { startsAt: '2027-12-14T07:00:00Z' });
      expect(december.cutoffAt).toBe('2027-12-01T07:00:00.000Z');
      // After midsummer, in summer time: Tue 29 Jun 2027 09:00: Jun 28, (25th Midsummer Eve), 24, 23, 22, 21, 18, 17, 16.
      const june = await aConference(g.coord, g.id, { startsAt: '2027-06-29T06:00:00Z', endsAt: '2027-06-29T09:00:00Z' });
      expect(june).toMatchObject({ cutoffAt: '2027-06-16T06:00:00.000Z', endsAt: '2027-06-29T09:00:00.000Z', location: null });

      const other = await aGroupWithStaff({ referralCutoffWorkingDays: 3, maxCasesPerConference: 6, minutesPerCase: 20 });
      const c = await aConference(other.coord, other.id, { startsAt: '2027-12-07T08:00:00Z' });
      // Tue 7 Dec 10:00: Dec 3, 2, 1 (6th is Independence Day) → Wed 1 Dec 10:00.
      expect(c).toMatchObject({ cutoffAt: '2027-12-01T08:00:00.000Z', capacity: 6, minutesPerCase: 20, endsAt: '2027-12-07T10:30:00.000Z' });
    });

    it('schedules an extraordinary conference at short notice with its cut-off now, and refuses the past and a second one on a regular day', async () => {
      const g = await aGroupWithStaff();
      const now = t.clock.now();
      const soon = new Date(now.getTime() + 3 * 3600_000);
      const emergency = await aConference(g.coord, g.id, { startsAt: soon.toISOString(), extraordinary: true });
      expect(emergency.extraordinary).toBe(true);
      expect(Math.abs(Date.parse(emergency.cutoffAt) - now.getTime())).toBeLessThan(60_000);

      const past = await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences`).send({ startsAt: new Date(now.getTime() - 60_000).toISOString() }).expect(422);
      expect(past.body.type).toBe(`${PROBLEM}conference-in-past`);
      await aConference(g.coord, g.id, { startsAt: '2027-03-09T07:00:00Z' });
      const twice = await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences`).send({ startsAt: '2027-03-09T11:00:00Z' }).expect(409);
      expect(twice.body.type).toBe(`${PROBLEM}conference-exists`);
      // An extraordinary one may share the day.
      await aConference(g.coord, g.id, { startsAt: '2027-03-09T12:00:00Z', extraordinary: true });
      const bad = await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences`).send({ startsAt: '2027-03-10T07:00:00', endsAt: '2027-03-09T07:00:00Z' }).expect(400);
      expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))]).toEqual(['startsAt']);
    });
  });

  describe('placement', () => {
    it('orders deferred cases first, then repeats and the highest scores, then earlier placement; slots follow minutesPerCase', async () => {
      const g = await aGroupWithStaff();
      const march = await aConference(g.coord, g.id, { startsAt: '2027-03-09T07:00:00Z' });
      const now = new Date('2027-02-01T10:00:00Z');
      const [a, b, c, d, e] = [await aCase(g.id), await aCase(g.id, { isRepeat: true }), await aCase(g.id), await aCase(g.id), await aCase(g.id)];
      const pa = await place({ groupId: g.id, caseId: a.id, score: 15, now });
      expect(pa).toMatchObject({ conferenceId: march.id, startsAt: new Date(march.startsAt), slotStartsAt: new Date('2027-03-09T07:00:00Z') });
      await place({ groupId: g.id, caseId: b.id, kind: 'repeat', isRepeat: true, score: 10, now });
      await place({ groupId: g.id, caseId: c.id, score: 20, now });
      await place({ groupId: g.id, caseId: d.id, score: 15, now });
      await place({ groupId: g.id, caseId: e.id, score: null, now });

      const view = await t.as(g.coord.accessToken).get(`/api/v1/conferences/${march.id}`).expect(200);
      expect(view.body.agenda.map((i: { caseReference: string }) => i.caseReference)).toEqual([b, c, a, d, e].map((x) => x.reference));
      expect(view.body.agenda.map((i: { position: number }) => i.position)).toEqual([0, 1, 2, 3, 4]);
      expect(view.body.agenda.map((i: { slotStartsAt: string }) => i.slotStartsAt)).toEqual([
        '2027-03-09T07:00:00.000Z',
        '2027-03-09T07:15:00.000Z',
        '2027-03-09T07:30:00.000Z',
        '2027-03-09T07:45:00.000Z',
        '2027-03-09T08:00:00.000Z',
      ]);
      expect(view.body.agenda[0]).toMatchObject({ caseId: b.id, kind: 'repeat', status: 'scheduled' });
      expect(view.body).toMatchObject({ id: march.id, groupId: g.id, status: 'planned', capacity: 15, scheduledCount: 5, attendance: [], version: 6 });

      // Placed once: a second placement returns the first.
      const again = await place({ groupId: g.id, caseId: a.id, score: 15, now });
      expect(again).toEqual({ conferenceId: march.id, itemId: pa.itemId, startsAt: new Date(march.startsAt), slotStartsAt: new Date('2027-03-09T07:30:00Z') });

      // A case deferred from March goes first of all in April, even before a repeat.
      const april = await aConference(g.coord, g.id, { startsAt: '2027-04-13T06:00:00Z' });
      const f = await aCase(g.id, { isRepeat: true });
      await place({ groupId: g.id, caseId: f.id, conferenceId: april.id, kind: 'repeat', isRepeat: true, score: 24, now });
      await ds.query(`UPDATE agenda_items SET status = 'deferred' WHERE case_id = $1`, [c.id]); // what the chair's defer will do
      const moved = await place({ groupId: g.id, caseId: c.id, conferenceId: april.id, score: 20, now, deferredFrom: view.body.agenda[1].itemId });
      expect(moved).toMatchObject({ conferenceId: april.id, slotStartsAt: new Date('2027-04-13T06:00:00Z') });
      const aprilView = await t.as(g.chair.accessToken).get(`/api/v1/conferences/${april.id}`).expect(200);
      expect(aprilView.body.agenda.map((i: { caseId: string }) => i.caseId)).toEqual([c.id, f.id]);
    });

    it('takes the next conference whose cut-off is still ahead; a chosen one may be past its cut-off but not full or closed', async () => {
      const g = await aGroupWithStaff({ maxCasesPerConference: 2 });
      const march = await aConference(g.coord, g.id, { startsAt: '2027-03-09T07:00:00Z' }); // cut-off Thu 25 Feb 09:00
      const april = await aConference(g.coord, g.id, { startsAt: '2027-04-13T06:00:00Z' });
      await aConference(g.coord, g.id, { startsAt: '2027-03-01T07:00:00Z', extraordinary: true }); // never taken automatically
      expect(march.cutoffAt).toBe('2027-02-25T07:00:00.000Z');
      const [a, b, c, d, closed] = [await aCase(g.id), await aCase(g.id), await aCase(g.id), await aCase(g.id), await aCase(g.id, { status: 'closed' })];

      expect((await conferences.nextFor(g.id, new Date('2027-02-25T06:59:59Z')))?.conferenceId).toBe(march.id);
      // At the cut-off instant it is too late for March.
      expect((await place({ groupId: g.id, caseId: a.id, now: new Date('2027-02-25T07:00:00Z') })).conferenceId).toBe(april.id);
      expect((await conferences.nextFor(g.id, new Date('2027-02-25T07:00:00Z')))?.conferenceId).toBe(april.id);
      // The coordinator may still choose March explicitly.
      expect((await place({ groupId: g.id, caseId: b.id, conferenceId: march.id, now: new Date('2027-03-01T10:00:00Z') })).conferenceId).toBe(march.id);
      expect((await place({ groupId: g.id, caseId: c.id, now: new Date('2027-03-01T10:00:00Z') })).conferenceId).toBe(april.id);
      // April is full now (capacity 2).
      await expect(place({ groupId: g.id, caseId: d.id, conferenceId: april.id, now: new Date('2027-03-01T10:00:00Z') })).rejects.toMatchObject({ status: 422, slug: 'conference-full' });
      const none = place({ groupId: g.id, caseId: d.id, now: new Date('2027-03-01T10:00:00Z') });
      await expect(none).rejects.toMatchObject({ status: 422, slug: 'no-conference-available' });
      await expect(none).rejects.toThrow(/generate/);
      expect(await conferences.nextFor(g.id, new Date('2027-03-01T10:00:00Z'))).toBeNull();
      await ds.query(`UPDATE conferences SET status = 'in_session' WHERE id = $1`, [march.id]);
      await expect(place({ groupId: g.id, caseId: d.id, conferenceId: march.id, now: new Date('2027-03-09T07:10:00Z') })).rejects.toMatchObject({ status: 422, slug: 'conference-closed' });
      await expect(place({ groupId: g.id, caseId: closed.id, conferenceId: april.id, now: new Date('2027-03-01T10:00:00Z') })).rejects.toMatchObject({ status: 422, slug: 'case-not-open' });
      const other = await aGroupWithStaff();
      await expect(place({ groupId: other.id, caseId: d.id, now: new Date('2027-03-01T10:00:00Z') })).rejects.toMatchObject({ status: 422, slug: 'case-not-in-group' });
      await expect(place({ groupId: g.id, caseId: d.id, conferenceId: (await aConference(other.coord, other.id, { startsAt: '2027-05-11T06:00:00Z' })).id, now: new Date('2027-03-01T10:00:00Z') })).rejects.toMatchObject({ status: 404 });
    });

    it('never exceeds capacity under concurrent placements: 20 at once on capacity 15 → 15 on the first, 5 on the next', async () => {
      const g = await aGroupWithStaff();
      const first = await aConference(g.coord, g.id, { startsAt: '2027-05-11T06:00:00Z' });
      const second = await aConference(g.coord, g.id, { startsAt: '2027-06-08T06:00:00Z' });
      const cases: Array<{ id: string; reference: string }> = [];
      for (let i = 0; i < 20; i++) cases.push(await aCase(g.id));
      const now = new Date('2027-04-01T10:00:00Z');
      const placements = await Promise.all(cases.map((c, i) => place({ groupId: g.id, caseId: c.id, score: i, now })));
      expect(placements.filter((p) => p.conferenceId === first.id)).toHaveLength(15);
      expect(placements.filter((p) => p.conferenceId === second.id)).toHaveLength(5);
      const rows: Array<{ conference_id: string; n: number; positions: number[] }> = await ds.query(
        `SELECT conference_id, count(*)::int AS n, array_agg(position ORDER BY position) AS positions FROM agenda_items WHERE conference_id = ANY($1::uuid[]) GROUP BY conference_id`,
        [[first.id, second.id]],
      );
      const byId = Object.fromEntries(rows.map((r) => [r.conference_id, r]));
      expect(byId[first.id]!.positions).toEqual([...Array(15).keys()]);
      expect(byId[second.id]!.positions).toEqual([...Array(5).keys()]);
      // The highest scores first on each agenda, whatever order the placements committed in.
      const agenda = (await t.as(g.coord.accessToken).get(`/api/v1/conferences/${first.id}`).expect(200)).body.agenda;
      const scores = agenda.map((i: { caseId: string }) => cases.findIndex((c) => c.id === i.caseId));
      expect(scores.every((s: number, i: number) => i === 0 || scores[i - 1] > s)).toBe(true);
    });
  });

  describe('the coordinator’s agenda', () => {
    it('adds, reorders with optimistic locking and removes; a stale version gets 409', async () => {
      const g = await aGroupWithStaff();
      const conf = await aConference(g.coord, g.id, { startsAt: '2027-09-14T06:00:00Z' });
      const [a, b, c] = [await aCase(g.id), await aCase(g.id, { isRepeat: true }), await aCase(g.id)];
      const coord = t.as(g.coord.accessToken);
      for (const x of [a, b, c]) await coord.post(`/api/v1/conferences/${conf.id}/agenda`).send({ caseId: x.id }).expect(201);
      const twice = await coord.post(`/api/v1/conferences/${conf.id}/agenda`).send({ caseId: a.id }).expect(409);
      expect(twice.body).toMatchObject({ type: `${PROBLEM}case-already-scheduled`, conferenceId: conf.id });

      const before = (await coord.get(`/api/v1/conferences/${conf.id}`).expect(200)).body;
      expect(before.agenda.map((i: { caseId: string; kind: string }) => [i.caseId, i.kind])).toEqual([
        [b.id, 'repeat'],
        [a.id, 'new'],
        [c.id, 'new'],
      ]);
      const ids = before.agenda.map((i: { itemId: string }) => i.itemId);
      const reversed = [...ids].reverse();

      const chair = await t.as(g.chair.accessToken).put(`/api/v1/conferences/${conf.id}/agenda/order`).send({ itemIds: reversed }).expect(403);
      expect(chair.body.type).toBe(`${PROBLEM}forbidden`);
      const done = await coord.put(`/api/v1/conferences/${conf.id}/agenda/order`).set('If-Match', String(before.version)).send({ itemIds: reversed }).expect(200);
      expect(done.body.agenda.map((i: { itemId: string }) => i.itemId)).toEqual(reversed);
      expect(done.body.agenda.map((i: { slotStartsAt: string }) => i.slotStartsAt)[0]).toBe('2027-09-14T06:00:00.000Z');
      expect(done.body.version).toBe(before.version + 1);

      // The other coordinator's reorder, made from the same version, lost the race.
      const stale = await coord.put(`/api/v1/conferences/${conf.id}/agenda/order`).set('If-Match', String(before.version)).send({ itemIds: ids }).expect(409);
      expect(stale.body.type).toBe(`${PROBLEM}version-conflict`);
      await coord.put(`/api/v1/conferences/${conf.id}/agenda/order`).send({ itemIds: ids, version: before.version }).expect(409);
      const partial = await coord.put(`/api/v1/conferences/${conf.id}/agenda/order`).send({ itemIds: ids.slice(1) }).expect(409);
      expect(partial.body.type).toBe(`${PROBLEM}agenda-order-mismatch`);
      await coord.put(`/api/v1/conferences/${conf.id}/agenda/order`).send({ itemIds: [ids[0], ids[0], ids[1]] }).expect(400);

      // A new case is placed by priority among a hand-made order: before the first it outranks.
      const d = await aCase(g.id, { isRepeat: true });
      const added = await coord.post(`/api/v1/conferences/${conf.id}/agenda`).set('If-Match', String(done.body.version)).send({ caseId: d.id }).expect(201);
      expect(added.body.agenda.map((i: { caseId: string }) => i.caseId)).toEqual([d.id, c.id, a.id, b.id]);

      await coord.delete(`/api/v1/conferences/${conf.id}/agenda/${added.body.agenda[1].itemId}`).set('If-Match', String(added.body.version - 1)).expect(409);
      await coord.delete(`/api/v1/conferences/${conf.id}/agenda/${added.body.agenda[1].itemId}`).set('If-Match', String(added.body.version)).expect(204);
      const after = (await coord.get(`/api/v1/conferences/${conf.id}`).expect(200)).body;
      expect(after.agenda.map((i: { caseId: string; position: number }) => [i.caseId, i.position])).toEqual([
        [d.id, 0],
        [a.id, 1],
        [b.id, 2],
      ]);
      await coord.delete(`/api/v1/conferences/${conf.id}/agenda/${randomUUID()}`).expect(404);
    });

    it('refuses a case of another group (404), a closed case (422) and a full agenda (422)', async () => {
      const g = await aGroupWithStaff({ maxCasesPerConference: 1 });
      const other = await aGroupWithStaff();
      const conf = await aConference(g.coord, g.id, { startsAt: '2027-10-12T06:00:00Z' });
      const coord = t.as(g.coord.accessToken);
      await coord.post(`/api/v1/conferences/${conf.id}/agenda`).send({ caseId: (await aCase(other.id)).id }).expect(404);
      const closed = await coord.post(`/api/v1/conferences/${conf.id}/agenda`).send({ caseId: (await aCase(g.id, { status: 'closed' })).id }).expect(422);
      expect(closed.body.type).toBe(`${PROBLEM}case-not-open`);
      await coord.post(`/api/v1/conferences/${conf.id}/agenda`).send({ caseId: (await aCase(g.id)).id }).expect(201);
      const full = await coord.post(`/api/v1/conferences/${conf.id}/agenda`).send({ caseId: (await aCase(g.id)).id }).expect(422);
      expect(full.body.type).toBe(`${PROBLEM}conference-full`);
    });
  });

  describe('visibility and audit', () => {
    it('shows a conference to its group’s coordinator and chair, to member agencies’ reps only once published, to no one else', async () => {
      const g = await aGroupWithStaff();
      const other = await aGroupWithStaff();
      const rep = await aUser(t, police.id, [{ role: 'agency_rep', groupId: g.id }]);
      const referrer = await aUser(t, police.id, [{ role: 'referrer', groupId: g.id }]);
      const conf = await aConference(g.coord, g.id, { startsAt: '2027-11-09T07:00:00Z' });
      const x = await aCase(g.id);
      await t.as(g.coord.accessToken).post(`/api/v1/conferences/${conf.id}/agenda`).send({ caseId: x.id }).expect(201);

      await t.as(g.chair.accessToken).get(`/api/v1/conferences/${conf.id}`).expect(200);
      const hidden = await t.as(other.coord.accessToken).get(`/api/v1/conferences/${conf.id}`).expect(404);
      const missing = await t.as(other.coord.accessToken).get(`/api/v1/conferences/${randomUUID()}`).expect(404);
      expect(hidden.body.detail).toBe(missing.body.detail);
      await t.as(rep.accessToken).get(`/api/v1/conferences/${conf.id}`).expect(404);
      await t.as(referrer.accessToken).get(`/api/v1/conferences/${conf.id}`).expect(403);
      await t.admin.get(`/api/v1/conferences/${conf.id}`).expect(403);
      await t.as(other.coord.accessToken).get(`/api/v1/groups/${g.id}/conferences`).expect(404);
      await t.as(other.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences/generate`).send({ from: '2027-01-01', to: '2027-02-01' }).expect(404);
      await t.as(other.coord.accessToken).put(`/api/v1/conferences/${conf.id}/agenda/order`).send({ itemIds: [] }).expect(404);
      await t.as(g.chair.accessToken).post(`/api/v1/groups/${g.id}/conferences`).send({ startsAt: '2027-12-14T07:00:00Z' }).expect(403);
      // The dates are no secret to the member agencies: the list carries no case data.
      const list = await t.as(rep.accessToken).get(`/api/v1/groups/${g.id}/conferences`).expect(200);
      expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([conf.id]);
      expect(JSON.stringify(list.body)).not.toContain(x.reference);

      await ds.query(`UPDATE conferences SET status = 'agenda_published' WHERE id = $1`, [conf.id]); // what publishing will do
      const seen = await t.as(rep.accessToken).get(`/api/v1/conferences/${conf.id}`).expect(200);
      expect(seen.body.agenda).toEqual([expect.objectContaining({ caseId: x.id, caseReference: x.reference })]);
      await t.as(rep.accessToken).post(`/api/v1/conferences/${conf.id}/agenda`).send({ caseId: (await aCase(g.id)).id }).expect(403);
    });

    it('audits every write and every read of an agenda, and the chain verifies', async () => {
      const g = await aGroupWithStaff();
      const gen = await t.as(g.coord.accessToken).post(`/api/v1/groups/${g.id}/conferences/generate`).send({ from: '2027-02-01', to: '2027-02-28' }).expect(201);
      const conf = gen.body.items[0];
      const [a, b] = [await aCase(g.id), await aCase(g.id)];
      await place({ groupId: g.id, caseId: a.id, score: 14, now: new Date('2027-01-10T10:00:00Z') });
      const added = await t.as(g.coord.accessToken).post(`/api/v1/conferences/${conf.id}/agenda`).send({ caseId: b.id }).expect(201);
      const reordered = await t.as(g.coord.accessToken).put(`/api/v1/conferences/${conf.id}/agenda/order`).send({ itemIds: added.body.agenda.map((i: { itemId: string }) => i.itemId).reverse() }).expect(200);
      await t.as(g.coord.accessToken).delete(`/api/v1/conferences/${conf.id}/agenda/${reordered.body.agenda[0].itemId}`).expect(204);
      await t.as(g.chair.accessToken).get(`/api/v1/conferences/${conf.id}`).expect(200);
      const created = await aConference(g.coord, g.id, { startsAt: '2027-03-30T06:00:00Z', extraordinary: true });

      const onConference = await t.admin.get('/api/v1/audit').query({ objectType: 'conference', objectId: conf.id }).expect(200);
      const actions = onConference.body.items.map((i: { action: string }) => i.action);
      expect(actions).toEqual(['conference.read', 'agenda.remove', 'agenda.reorder', 'agenda.add', 'agenda.place']);
      const read = onConference.body.items[0];
      expect(read.details).toMatchObject({ conferenceId: conf.id, count: 1 });
      expect(read.details.caseId).toEqual([a.id]); // b was first after the reorder, and taken off
      const place_ = onConference.body.items.find((i: { action: string }) => i.action === 'agenda.place');
      expect(place_.details).toMatchObject({ caseId: a.id, kind: 'new' });
      const onGroup = await t.admin.get('/api/v1/audit').query({ objectType: 'group', objectId: g.id }).expect(200);
      expect(onGroup.body.items.map((i: { action: string }) => i.action)).toContain('conference.generate');
      const creation = await t.admin.get('/api/v1/audit').query({ objectType: 'conference', objectId: created.id }).expect(200);
      expect(creation.body.items.map((i: { action: string }) => i.action)).toEqual(['conference.create']);
      expect((await t.admin.get('/api/v1/audit/verify').expect(200)).body.valid).toBe(true);
    });
  });
});
