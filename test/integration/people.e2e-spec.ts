import { randomBytes, randomUUID } from 'node:crypto';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { FieldDecryptError } from '../../libs/field-crypto/index.js';
import { makeTemporaryHetu } from '../../libs/hetu/index.js';
import { Problem } from '../../src/common/problems/problem.js';
import { APP_CONFIG } from '../../src/config/app-config.js';
import { PeopleModule } from '../../src/modules/people/people.module.js';
import { PeopleService } from '../../src/modules/people/people.service.js';
import type { PersonInput } from '../../src/modules/people/person.types.js';
import { Clock, TestClock } from '../../src/platform/clock/clock.js';
import { FieldCryptoService } from '../../src/platform/crypto/field-crypto.service.js';
import { dataSourceOptions } from '../../src/platform/database/data-source-options.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { startTestApp, testConfig } from '../harness/test-app.js';

/** What PlatformModule gives every module in the app: configuration, clock, field crypto. */
@Global()
@Module({})
class TestPlatformModule {
  static register(config: unknown, clock: Clock): DynamicModule {
    const providers = [{ provide: APP_CONFIG, useValue: config }, { provide: Clock, useValue: clock }, FieldCryptoService];
    return { module: TestPlatformModule, providers, exports: [APP_CONFIG, Clock, FieldCryptoService] };
  }
}

interface PeopleApp {
  module: TestingModule;
  people: PeopleService;
  ds: DataSource;
  clock: TestClock;
  tx<T>(work: (tx: EntityManager) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

async function peopleApp(db: TestDatabase, env: Record<string, string> = {}): Promise<PeopleApp> {
  const clock = new TestClock();
  clock.set(new Date('2026-01-15T10:00:00Z'));
  const module = await Test.createTestingModule({
    imports: [TestPlatformModule.register(testConfig(db, { env }), clock), TypeOrmModule.forRoot(dataSourceOptions(db.url, { extra: { max: 4 } })), PeopleModule],
  }).compile();
  await module.init();
  const ds = module.get(DataSource);
  return { module, people: module.get(PeopleService), ds, clock, tx: (work) => ds.transaction(work), close: () => module.close() };
}

async function aGroup(ds: DataSource): Promise<string> {
  const [row] = await ds.query(`INSERT INTO groups (name, area, settings) VALUES ($1, 'Testialue', '{}') RETURNING id`, [`Group ${randomUUID()}`]);
  return row.id;
}

/** Every byte of the row as stored, plus PostgreSQL's own text rendering of it. */
async function rowBytes(ds: DataSource, id: string): Promise<Buffer> {
  const [row] = await ds.query(`SELECT * FROM people WHERE id = $1`, [id]);
  const [{ text }] = await ds.query(`SELECT p::text AS text FROM people p WHERE id = $1`, [id]);
  const parts = Object.values(row as Record<string, unknown>).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v))));
  // The row's text form without its bytea columns' hex (`\x…`): those bytes are in `parts` as
  // they are, and their hex spelling held a digits-only value such as '140385' by chance about
  // once in 5,000 runs (16^6 spellings, thousands of hex digits per row).
  return Buffer.concat([...parts, Buffer.from((text as string).replace(/\\+x[0-9a-f]*/g, ''))]);
}

function expectNowhere(bytes: Buffer, value: string): void {
  for (const form of new Set([value, value.toLowerCase(), value.toUpperCase(), value.normalize('NFD'), value.normalize('NFC'), value.replace(/\s+/g, '')])) {
    if (bytes.includes(Buffer.from(form, 'utf8'))) throw new Error(`plaintext of a field found in the stored row (${form.length} chars)`);
  }
}

async function refusal(p: Promise<unknown>): Promise<Problem> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Problem) return e;
    throw e;
  }
  throw new Error('expected a Problem');
}

const CODE = makeTemporaryHetu('1985-03-14', 42); // 140385-942S, temporary number 942

/** An invented victim with every field filled. */
const victim = (overrides: Partial<PersonInput> = {}): PersonInput => ({
  firstName: 'Aino-Kaarina',
  lastName: 'Mäkelä-Testinen',
  birthDate: '1985-03-14',
  identityCode: CODE,
  gender: 'other',
  language: 'somali',
  interpreterNeeded: true,
  address: 'Kuvitteellinen katu 12 B 7, 33100 Tampere',
  phone: '+358 40 123 4567',
  safeContactNote: 'Soita vain arkisin klo 9–11, esittäydy terveysaseman hoitajana.',
  specialCircumstances: ['raskausviikko 30', 'kuulovamma'],
  ...overrides,
});

describe('people: encrypted personal data and repeat matching', () => {
  let db: TestDatabase;
  let app: PeopleApp;
  let people: PeopleService;
  let groupA: string;
  let groupB: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await peopleApp(db);
    people = app.people;
    groupA = await aGroup(app.ds);
    groupB = await aGroup(app.ds);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const create = (person: PersonInput, groupId = groupA, role: 'victim' | 'perpetrator' | 'child' = 'victim') =>
    app.tx((tx) => people.create(tx, { groupId, role, person }));

  it('round-trips every field, with coarse statistics codes beside them', async () => {
    const input = victim();
    const { id } = await create(input);
    const view = await people.read(app.ds, id);
    expect(view).toEqual({
      id,
      groupId: groupA,
      role: 'victim',
      ...input,
      statGender: 'other_or_unknown',
      statAgeBand: '35-44',
      anonymisedAt: null,
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const { id: childId } = await create({ firstName: 'Eemeli', birthDate: '2015-06-01', identityCode: makeTemporaryHetu('2015-06-01', 7), livesWithVictim: true }, groupA, 'child');
    expect(await people.read(app.ds, childId)).toMatchObject({ role: 'child', firstName: 'Eemeli', birthDate: '2015-06-01', livesWithVictim: true, statAgeBand: '0-15' });
    expect((await people.readMany(app.ds, [childId, randomUUID(), id])).map((p) => p.id)).toEqual([childId, id]);
  });

  it('stores no plaintext of any personal field anywhere in the row', async () => {
    const input = victim();
    const { id } = await create(input);
    const bytes = await rowBytes(app.ds, id);
    // The detector itself finds a value in any of its spellings.
    expect(() => expectNowhere(Buffer.from(`x${input.lastName!.normalize('NFD')}y`), input.lastName!)).toThrow();
    const values = [
      input.firstName,
      input.lastName!,
      input.birthDate!,
      '19850314',
      '140385',
      CODE,
      input.language!,
      input.address!,
      input.phone!,
      input.safeContactNote!,
      ...input.specialCircumstances!,
      JSON.stringify(input.specialCircumstances),
    ];
    for (const value of values) expectNowhere(bytes, value);
    // Gender is encrypted too; in clear is only the coarse statistics cell (documented in PeopleService).
    const [row] = await app.ds.query(`SELECT gender_enc, interpreter_needed_enc, stat_gender, stat_age_band FROM people WHERE id = $1`, [id]);
    expect(row.stat_gender).toBe('other_or_unknown');
    expect(row.stat_age_band).toBe('35-44');
    // One-character codes: every gender and flag blob has the same length whatever the value.
    expect(row.gender_enc.length).toBe(92);
    expect(row.interpreter_needed_enc.length).toBe(92);
  });

  it('finds the same person again by identity code written with other case and spaces', async () => {
    const groupId = await aGroup(app.ds);
    const { id } = await create(victim(), groupId);
    const spaced = ` ${CODE.slice(0, 6)} ${CODE.slice(6).toLowerCase()} `;
    const matches = await people.findMatches(app.ds, { identityCode: spaced, firstName: 'Joku', lastName: 'Muu' }, { groupId, role: 'victim' });
    expect(matches).toEqual([{ personId: id, groupId, matchedBy: 'identity-code', createdAt: expect.any(String) }]);
    expect(await people.findMatches(app.ds, { identityCode: CODE, firstName: 'x' }, { groupId, role: 'victim', excludeIds: [id] })).toEqual([]);
    // Across the deployment: every group that knows the code (the caller must not show the others).
    expect((await people.findMatches(app.ds, { identityCode: CODE, firstName: 'x' }, { role: 'victim' })).map((m) => m.groupId)).toContain(groupA);
  });

  it('finds the same person again by name and birth date despite case, extra spaces and a decomposed ä', async () => {
    const groupId = await aGroup(app.ds);
    // Stored with the identity code only: the code's birth date makes the name key.
    const { id } = await create({ firstName: 'Aino  Kaarina', lastName: 'Mäkelä', identityCode: makeTemporaryHetu('1979-11-02', 5) }, groupId);
    const query = { firstName: '  aino kaarina ', lastName: 'MA\u0308KELA\u0308', birthDate: '1979-11-02' };
    expect(query.lastName).not.toBe('MÄKELÄ');
    expect(await people.findMatches(app.ds, query, { groupId, role: 'victim' })).toEqual([{ personId: id, groupId, matchedBy: 'name-birth-date', createdAt: expect.any(String) }]);
    // Not another birth date, not swapped names, not a plain "Makela".
    expect(await people.findMatches(app.ds, { ...query, birthDate: '1979-11-03' }, { groupId, role: 'victim' })).toEqual([]);
    expect(await people.findMatches(app.ds, { firstName: 'Mäkelä', lastName: 'Aino Kaarina', birthDate: '1979-11-02' }, { groupId, role: 'victim' })).toEqual([]);
    expect(await people.findMatches(app.ds, { ...query, lastName: 'Makela' }, { groupId, role: 'victim' })).toEqual([]);
  });

  it('does not take a name and birth date match when both sides have different identity codes', async () => {
    const groupId = await aGroup(app.ds);
    await create({ firstName: 'Maija', lastName: 'Testinen', identityCode: makeTemporaryHetu('1990-05-05', 11) }, groupId);
    const other = { firstName: 'Maija', lastName: 'Testinen', identityCode: makeTemporaryHetu('1990-05-05', 12) };
    expect(await people.findMatches(app.ds, other, { groupId, role: 'victim' })).toEqual([]);
    const { identityCode: _omit, ...withoutCode } = other;
    expect(await people.findMatches(app.ds, { ...withoutCode, birthDate: '1990-05-05' }, { groupId, role: 'victim' })).toHaveLength(1);
  });

  it('does not find across roles or across index kinds', async () => {
    const groupId = await aGroup(app.ds);
    const code = makeTemporaryHetu('1970-01-20', 33);
    const { id: perpetratorId } = await create({ firstName: 'Pekka', lastName: 'Testaaja', identityCode: code }, groupId, 'perpetrator');
    expect(await people.findMatches(app.ds, { identityCode: code, firstName: 'Pekka', lastName: 'Testaaja' }, { groupId, role: 'victim' })).toEqual([]);
    expect((await people.findMatches(app.ds, { identityCode: code, firstName: 'x' }, { groupId, role: 'perpetrator' })).map((m) => m.personId)).toEqual([perpetratorId]);
    // The identity code's index never equals an index of the same characters as another kind.
    const crypto = app.module.get(FieldCryptoService);
    const [row] = await app.ds.query(`SELECT identity_code_bidx, name_birth_bidx FROM people WHERE id = $1`, [perpetratorId]);
    expect(row.identity_code_bidx.equals(crypto.blindIndex(code, 'identity-code'))).toBe(true);
    expect(row.identity_code_bidx.equals(crypto.blindIndex(code, 'text'))).toBe(false);
    const [{ n }] = await app.ds.query(`SELECT count(*)::int AS n FROM people WHERE name_birth_bidx = $1 OR identity_code_bidx = $1`, [crypto.blindIndex(code, 'text')]);
    expect(n).toBe(0);
  });

  it('refuses a ciphertext copied to another row or another column', async () => {
    const { id: a } = await create(victim({ identityCode: undefined, birthDate: '1988-08-08' }));
    const { id: b } = await create(victim({ identityCode: undefined, birthDate: '1989-09-09', firstName: 'Toinen' }));
    await app.ds.query(`UPDATE people SET first_name_enc = (SELECT first_name_enc FROM people WHERE id = $1) WHERE id = $2`, [a, b]);
    await expect(people.read(app.ds, b)).rejects.toThrow(FieldDecryptError);
    await expect(people.read(app.ds, b)).rejects.toMatchObject({ reason: 'authentication-failed' });
    await app.ds.query(`UPDATE people SET last_name_enc = first_name_enc WHERE id = $1`, [a]);
    await expect(people.read(app.ds, a)).rejects.toMatchObject({ reason: 'authentication-failed' });
  });

  it('refuses an identity code whose check character fails with 400 invalid-identity-code, never echoing it', async () => {
    const bad = CODE.slice(0, 10) + (CODE.endsWith('S') ? 'T' : 'S');
    const [{ n: before }] = await app.ds.query(`SELECT count(*)::int AS n FROM people`);
    const p = await refusal(app.tx((tx) => people.create(tx, { groupId: groupA, role: 'victim', person: victim({ identityCode: bad }), field: 'victim' })));
    expect([p.status, p.type]).toEqual([400, 'https://marak.example/problems/invalid-identity-code']);
    expect(p.extensions.errors).toEqual([{ field: 'victim.identityCode', message: expect.any(String) }]);
    const said = JSON.stringify(p.toBody()) + p.message + String(p.stack);
    for (const part of [bad, bad.toLowerCase(), bad.slice(0, 6), bad.slice(7)]) expect(said).not.toContain(part);
    const [{ n: after }] = await app.ds.query(`SELECT count(*)::int AS n FROM people`);
    expect(after).toBe(before);
    // Lookups refuse it the same way rather than silently finding nothing.
    expect((await refusal(people.findMatches(app.ds, { identityCode: bad, firstName: 'A' }, { role: 'victim' }))).slug).toBe('invalid-identity-code');
  });

  it('refuses a birth date that contradicts the identity code, and one in the future', async () => {
    const mismatch = await refusal(create(victim({ birthDate: '1985-03-15' })));
    expect([mismatch.status, mismatch.slug]).toEqual([400, 'birth-date-mismatch']);
    expect(JSON.stringify(mismatch.toBody())).not.toContain('1985');
    const future = await refusal(create(victim({ identityCode: undefined, birthDate: '2026-01-16' })));
    expect([future.status, future.slug]).toEqual([400, 'invalid-birth-date']);
    await expect(create(victim({ identityCode: undefined, birthDate: '2026-01-15' }))).resolves.toEqual({ id: expect.any(String) });
  });

  it('says whether a victim is known in another group, and nothing more', async () => {
    const [g1, g2, g3] = [await aGroup(app.ds), await aGroup(app.ds), await aGroup(app.ds)];
    const code = makeTemporaryHetu('1992-12-24', 77);
    await create({ firstName: 'Helmi', lastName: 'Kokeilu', identityCode: code }, g1);
    const byCode = { identityCode: code, firstName: 'Helmi', lastName: 'Kokeilu' };
    expect(await people.knownInOtherGroups(app.ds, byCode, g2)).toBe(true);
    expect(await people.knownInOtherGroups(app.ds, { firstName: ' HELMI ', lastName: 'kokeilu', birthDate: '1992-12-24' }, g2)).toBe(true);
    expect(await people.knownInOtherGroups(app.ds, byCode, g1)).toBe(false);
    expect(await people.knownInOtherGroups(app.ds, { identityCode: makeTemporaryHetu('1992-12-24', 78), firstName: 'Helmi' }, g2)).toBe(false);
    // As a perpetrator elsewhere does not count.
    const perpCode = makeTemporaryHetu('1960-02-02', 90);
    await create({ firstName: 'Pentti', lastName: 'Kokeilu', identityCode: perpCode }, g3, 'perpetrator');
    expect(await people.knownInOtherGroups(app.ds, { identityCode: perpCode, firstName: 'Pentti' }, g2)).toBe(false);
  });

  it('updates fields, indexes and statistics, with optimistic locking', async () => {
    const groupId = await aGroup(app.ds);
    const { id } = await create(victim(), groupId);
    const newCode = makeTemporaryHetu('1986-04-01', 3);
    const result = await app.tx((tx) => people.update(tx, id, { identityCode: newCode, address: null, gender: 'female' }, { expectedVersion: 1 }));
    expect(result).toEqual({ id, version: 2, fields: expect.arrayContaining(['identityCode', 'birthDate', 'address', 'gender']) });
    expect(result.fields).toHaveLength(4);
    const view = await people.read(app.ds, id);
    expect(view).toMatchObject({ identityCode: newCode, birthDate: '1986-04-01', gender: 'female', statGender: 'female', statAgeBand: '35-44', version: 2 });
    expect(view.address).toBeUndefined();
    expect(await people.findMatches(app.ds, { identityCode: CODE, firstName: 'x' }, { groupId, role: 'victim' })).toEqual([]);
    expect(await people.findMatches(app.ds, { identityCode: newCode, firstName: 'x' }, { groupId, role: 'victim' })).toHaveLength(1);

    const stale = await refusal(app.tx((tx) => people.update(tx, id, { phone: '+358 50 000 0001' }, { expectedVersion: 1 })));
    expect([stale.status, stale.slug]).toEqual([409, 'version-conflict']);
    const contradiction = await refusal(app.tx((tx) => people.update(tx, id, { birthDate: '1986-04-02' })));
    expect(contradiction.slug).toBe('birth-date-mismatch');
    expect(await app.tx((tx) => people.update(tx, id, { gender: 'female' }))).toEqual({ id, version: 2, fields: [] });
    await expect(people.update(app.ds.manager, id, { phone: null })).rejects.toThrow(/open transaction/);
  });

  it('anonymises: no personal bytes and no blind index remain, statistics codes do', async () => {
    const groupId = await aGroup(app.ds);
    const input = victim({ identityCode: makeTemporaryHetu('1985-03-14', 43) });
    const { id } = await create(input, groupId);
    app.clock.advance(60_000);
    const { anonymisedAt } = await app.tx((tx) => people.anonymise(tx, id));
    expect(anonymisedAt).toBe('2026-01-15T10:01:00.000Z');

    const [row] = await app.ds.query(`SELECT * FROM people WHERE id = $1`, [id]);
    for (const [column, value] of Object.entries(row as Record<string, unknown>)) {
      if (column.endsWith('_enc') || column.endsWith('_bidx')) expect([column, value]).toEqual([column, null]);
    }
    expect(row).toMatchObject({ stat_gender: 'other_or_unknown', stat_age_band: '35-44', group_id: groupId, role: 'victim', version: 2 });
    const bytes = await rowBytes(app.ds, id);
    for (const value of [input.firstName, input.lastName!, input.birthDate!, input.identityCode!, input.address!, input.phone!, input.safeContactNote!, input.language!]) expectNowhere(bytes, value);

    expect(await people.read(app.ds, id)).toEqual({
      id,
      groupId,
      role: 'victim',
      statGender: 'other_or_unknown',
      statAgeBand: '35-44',
      anonymisedAt,
      version: 2,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(await people.findMatches(app.ds, input, { groupId, role: 'victim' })).toEqual([]);
    expect(await people.knownInOtherGroups(app.ds, input, groupA)).toBe(false);
    expect((await refusal(app.tx((tx) => people.update(tx, id, { phone: '+358 50 000 0002' })))).slug).toBe('person-anonymised');
    // Idempotent, and the database itself refuses personal data on an anonymised row.
    expect(await app.tx((tx) => people.anonymise(tx, id))).toEqual({ id, anonymisedAt });
    await expect(app.ds.query(`UPDATE people SET phone_enc = '\\x01'::bytea WHERE id = $1`, [id])).rejects.toThrow(/people_anonymised_is_empty/);
    expect((await refusal(app.tx((tx) => people.anonymise(tx, randomUUID())))).status).toBe(404);
  });

  it('refuses a person for a group that does not exist with 404', async () => {
    expect((await refusal(create(victim(), randomUUID()))).status).toBe(404);
    expect((await refusal(app.tx((tx) => people.createMany(tx, randomUUID(), [{ role: 'victim', person: victim() }])))).status).toBe(404);
  });

  it('creates several people in one statement, each as create would, their views as read back', async () => {
    const child = { firstName: ' Eemeli ', birthDate: '2015-06-01', identityCode: makeTemporaryHetu('2015-06-01', 8), livesWithVictim: false, gender: 'male' as const };
    const code = makeTemporaryHetu('1985-03-14', 43);
    const inputs = [
      { role: 'victim' as const, person: victim({ identityCode: code, phone: '  ' }), field: 'victim' },
      { role: 'perpetrator' as const, person: { firstName: 'Keksitty', lastName: 'Tekijä', interpreterNeeded: false }, field: 'perpetrators.0' },
      { role: 'child' as const, person: child, field: 'children.0' },
    ];
    const views = await app.tx((tx) => people.createMany(tx, groupA, inputs));
    expect(views.map((v) => v.role)).toEqual(['victim', 'perpetrator', 'child']);
    expect(views).toEqual(await people.readMany(app.ds, views.map((v) => v.id)));
    expect(views[2]).toMatchObject({ firstName: 'Eemeli', livesWithVictim: false, statAgeBand: '0-15', statGender: 'male' });
    expect(views[0]).not.toHaveProperty('phone');
    // Found again like a victim made by create.
    expect((await people.findMatches(app.ds, { identityCode: code, firstName: 'x' }, { role: 'victim', groupId: groupA })).map((m) => m.personId)).toEqual([views[0]!.id]);

    // The first refusal in the order given, with its field; nothing is written.
    const [{ n: before }] = await app.ds.query(`SELECT count(*)::int AS n FROM people`);
    const p = await refusal(app.tx((tx) => people.createMany(tx, groupA, [
      inputs[0]!,
      { role: 'perpetrator', person: { firstName: '  ' }, field: 'perpetrators.0' },
      { role: 'child', person: { ...child, birthDate: '2015-06-02' }, field: 'children.0' },
    ])));
    expect([p.status, p.extensions.errors]).toEqual([400, [{ field: 'perpetrators.0.firstName', message: expect.any(String) }]]);
    const [{ n: after }] = await app.ds.query(`SELECT count(*)::int AS n FROM people`);
    expect(after).toBe(before);
    expect(await app.tx((tx) => people.createMany(tx, groupA, []))).toEqual([]);
  });
});

describe('people: key rotation', () => {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const keyVersions = async (ds: DataSource): Promise<number[]> =>
    (
      await ds.query(
        `SELECT DISTINCT get_byte(b, 1) * 256 + get_byte(b, 2) AS v
           FROM people, LATERAL unnest(ARRAY[first_name_enc, last_name_enc, birth_date_enc, identity_code_enc, gender_enc, language_enc,
                                             interpreter_needed_enc, address_enc, phone_enc, safe_contact_note_enc, special_circumstances_enc]) AS b
          WHERE b IS NOT NULL ORDER BY v`,
      )
    ).map((r: { v: number }) => r.v);

  it('re-encrypts rows written under an older key, leaves versions alone and reports what it could not read', async () => {
    const old = await peopleApp(db, { MARAK_DATA_KEYS: `v1:${k1}` });
    const groupId = await aGroup(old.ds);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await old.tx((tx) => old.people.create(tx, { groupId, role: 'victim', person: victim({ identityCode: makeTemporaryHetu('1985-03-14', i) }) }))).id);
    const sparse = (await old.tx((tx) => old.people.create(tx, { groupId, role: 'child', person: { firstName: 'Eemeli' } }))).id;
    await old.close();

    const rotated = await peopleApp(db, { MARAK_DATA_KEYS: `v1:${k1},v2:${k2}` });
    try {
      expect(rotated.people.currentKeyVersion).toBe(2);
      expect(await keyVersions(rotated.ds)).toEqual([1]);
      // One row tampered with: it is reported and left alone, the rest are rotated.
      const broken = ids[4]!;
      await rotated.ds.query(`UPDATE people SET address_enc = set_byte(address_enc, 94, get_byte(address_enc, 94) # 255) WHERE id = $1`, [broken]);

      const report = await rotated.people.reencryptAll(rotated.ds, 2);
      expect(report).toEqual({ rows: 6, reencryptedRows: 5, reencryptedFields: 4 * 11 + 1, failedIds: [broken], currentKeyVersion: 2 });
      const [v] = await rotated.ds.query(`SELECT array_agg(DISTINCT version) AS versions FROM people`);
      expect(v.versions).toEqual([1]);
      await rotated.ds.query(`DELETE FROM people WHERE id = $1`, [broken]);
      expect(await keyVersions(rotated.ds)).toEqual([2]);
      expect(await rotated.people.reencryptAll(rotated.ds, 2)).toMatchObject({ rows: 0, reencryptedRows: 0 });
      // In the caller's transaction too (nothing left to do).
      expect(await rotated.tx((tx) => rotated.people.reencryptAll(tx, 10))).toMatchObject({ rows: 0 });
    } finally {
      await rotated.close();
    }

    // The old key can now be retired: everything reads with v2 alone, and still matches.
    const retired = await peopleApp(db, { MARAK_DATA_KEYS: `v2:${k2}` });
    try {
      expect(await retired.people.read(retired.ds, ids[0]!)).toMatchObject({ ...victim({ identityCode: makeTemporaryHetu('1985-03-14', 0) }) });
      expect(await retired.people.read(retired.ds, sparse)).toMatchObject({ firstName: 'Eemeli', role: 'child' });
      expect(await retired.people.findMatches(retired.ds, { identityCode: makeTemporaryHetu('1985-03-14', 1), firstName: 'x' }, { groupId, role: 'victim' })).toEqual([
        expect.objectContaining({ personId: ids[1] }),
      ]);
    } finally {
      await retired.close();
    }
  });
});

describe('people: inside the whole application', () => {
  it('resolves PeopleService from the platform the app provides (clock, field crypto)', async () => {
    const t = await startTestApp({ imports: [PeopleModule] });
    try {
      t.clock.set(new Date('2026-01-15T10:00:00Z'));
      const ds = t.app.get(DataSource);
      const people = t.app.get(PeopleService);
      const groupId = await aGroup(ds);
      const { id } = await ds.transaction((tx) => people.create(tx, { groupId, role: 'victim', person: { firstName: 'Ilona', lastName: 'Testinen', birthDate: '1999-09-09' } }));
      expect(await people.read(ds, id)).toMatchObject({ firstName: 'Ilona', statAgeBand: '25-34' });
    } finally {
      await t.close();
    }
  });
});
