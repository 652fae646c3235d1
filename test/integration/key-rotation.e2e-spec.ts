import { DataSource } from 'typeorm';
import { generateDataKey, keyVersionOf, parseDataKeys } from '../../libs/field-crypto/index.js';
import { ENCRYPTED_TABLES, rotateKeys } from '../../src/platform/crypto/key-rotation.js';
import { aGroup, aUser, anAgency, PASSWORD, type TestUser } from '../harness/factories.js';
import { aReferralBody } from '../harness/referrals.js';
import { startTestApp, type TestApp } from '../harness/test-app.js';

/**
 * Key rotation (`npm run keys:rotate`): after a new key version is added, every personal field
 * is re-encrypted under it, nothing of the old version remains, and reads still work.
 */
describe('key rotation', () => {
  let t: TestApp;
  let db: DataSource;
  let coordinator: TestUser;
  let caseId: string;

  /** Every non-null blob of every catalogued column, with its key version. */
  async function blobVersions(): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const spec of ENCRYPTED_TABLES) {
      for (const column of Object.keys(spec.columns)) {
        const rows: Array<{ b: Buffer }> = await db.query(`SELECT ${column} AS b FROM ${spec.table} WHERE ${column} IS NOT NULL`);
        if (rows.length) out.set(`${spec.table}.${column}`, rows.map((r) => keyVersionOf(r.b)));
      }
    }
    return out;
  }

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z'));
    await t.renewAdmin();
    const police = await anAgency(t, { kind: 'police' });
    const group = await aGroup(t, [police.id]);
    const referrer = await aUser(t, police.id, [{ role: 'referrer', groupId: group.id }]);
    coordinator = await aUser(t, police.id, [{ role: 'coordinator', groupId: group.id }]);
    await t.as(coordinator.accessToken).post(`/api/v1/groups/${group.id}/conferences`).send({ startsAt: '2027-03-23T07:00:00.000Z' }).expect(201);
    const d = await t.as(referrer.accessToken).post('/api/v1/referrals').set('Idempotency-Key', 'rotation-1').send(aReferralBody(group.id, { children: [{ firstName: 'Lapsi', livesWithVictim: true }], childWelfareNotification: { status: 'made', madeAt: '2027-02-27' } })).expect(201);
    await t.as(referrer.accessToken).post(`/api/v1/referrals/${d.body.id}/submit`).send({}).expect(200);
    caseId = (await t.as(coordinator.accessToken).post(`/api/v1/referrals/${d.body.id}/accept`).send({}).expect(200)).body.caseId;
    await t.as(coordinator.accessToken).post(`/api/v1/cases/${caseId}/close`).send({ reason: 'other', note: 'Keksitty sulkemisen syy.' }).expect(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('knows every encrypted column of the schema', async () => {
    const rows: Array<{ table_name: string; column_name: string }> = await db.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name LIKE '%\\_enc' ORDER BY 1, 2`,
    );
    const catalogued = new Set(ENCRYPTED_TABLES.flatMap((s) => Object.keys(s.columns).map((c) => `${s.table}.${c}`)));
    expect(rows.map((r) => `${r.table_name}.${r.column_name}`).filter((c) => !catalogued.has(c))).toEqual([]);
  });

  it('re-encrypts every field under the new key version, leaves none of the old one, and reads still work', async () => {
    const before = await blobVersions();
    expect([...before.keys()]).toEqual(expect.arrayContaining(['people.first_name_enc', 'referrals.summary_enc', 'cases.close_note_enc', 'idempotency_keys.response_enc']));
    expect(new Set([...before.values()].flat())).toEqual(new Set([1]));

    const keys = `${t.config.dataKeys},v2:${generateDataKey()}`;
    const report = await rotateKeys(db, parseDataKeys(keys), { batchSize: 2 });
    expect(report.currentKeyVersion).toBe(2);
    const people = report.tables.find((r) => r.table === 'people')!;
    expect(people).toMatchObject({ rows: 3, reencryptedRows: 3, failed: 0, remaining: 0 });
    expect(report.tables.every((r) => r.remaining === 0 && r.failed === 0)).toBe(true);
    const fields = report.tables.reduce((n, r) => n + r.reencryptedFields, 0);
    expect(fields).toBe([...before.values()].flat().length);

    const after = await blobVersions();
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect(new Set([...after.values()].flat())).toEqual(new Set([2]));

    // Again: nothing left to do.
    const again = await rotateKeys(db, parseDataKeys(keys));
    expect(again.tables.reduce((n, r) => n + r.rows, 0)).toBe(0);

    // A replica configured with both keys reads the rotated case.
    const rotated = await startTestApp({ db: t.db, env: { MARAK_DATA_KEYS: keys } });
    try {
      rotated.clock.set(t.clock.now());
      const token = (await rotated.login(coordinator.email, PASSWORD)).accessToken;
      const view = (await rotated.as(token).get(`/api/v1/cases/${caseId}`).expect(200)).body;
      expect(view.victim.firstName).toBe('Testi');
      expect(view.children[0].firstName).toBe('Lapsi');
    } finally {
      await rotated.close();
    }
  });
});
