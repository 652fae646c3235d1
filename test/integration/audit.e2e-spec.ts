import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Body, Controller, Get, Module, Param, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { AuditSubjectIndexPendingList1764000007000 } from '../../migrations/1764000007000-audit-subject-index-pending-list.js';
import { Public } from '../../src/common/auth/public.decorator.js';
import { requestContext, type AuthUser } from '../../src/common/request-context.js';
import { TestClock } from '../../src/platform/clock/clock.js';
import { dataSourceOptions } from '../../src/platform/database/data-source-options.js';
import { genesisHash } from '../../src/modules/audit/audit-chain.js';
import { AuditEntryError } from '../../src/modules/audit/audit-entry.js';
import { AuditHeadProcessor } from '../../src/modules/audit/audit-head.processor.js';
import { AuditChainVerifier } from '../../src/modules/audit/audit-verifier.js';
import { AuditService, AuditTransactionError } from '../../src/modules/audit/audit.service.js';
import { parseBlindIndexKey } from '../../libs/field-crypto/index.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { testEnvironment } from '../harness/environment.js';
import { startTestApp, testConfig, type TestApp } from '../harness/test-app.js';

class ProbeWriteDto {
  @IsString() @MaxLength(100) name: string;
  @IsOptional() @Matches(/^[a-z]+\.[a-z]+$/) action?: string;
}

/** A module that writes and reads "case data" the way real modules will: audited, fail closed. */
@Controller('probe/audit')
class ProbeController {
  constructor(@InjectDataSource() private readonly db: DataSource, private readonly audit: AuditService) {}

  @Post('things')
  @Public()
  async create(@Body() dto: ProbeWriteDto) {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query(`INSERT INTO probe_things (name) VALUES ($1) RETURNING id`, [dto.name]);
      await this.audit.record(tx, { action: dto.action ?? 'probe.create', objectType: 'probe', objectId: String(row.id) });
      return { id: row.id };
    });
  }

  @Get('people/:id')
  @Public()
  async read(@Param('id') id: string) {
    await this.audit.recordRead({ action: id === FAILING_PERSON ? 'probe.fail' : 'person.read', objectType: 'person', objectId: id, subjectIds: [id] });
    return { id, secret: 'only after the read is audited' };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

const FAILING_PERSON = '99999999-9999-4999-8999-999999999999';

const userIn = (agencyId: string, role: 'coordinator' | 'agency_rep', groupId: string): AuthUser => ({
  id: randomUUID(),
  email: 'someone@agency.test',
  agencyId,
  roles: [{ role, groupId }],
  sessionId: randomUUID(),
});

interface Row {
  seq: string;
  chain: number;
  id: string;
  prev_hash: Buffer;
  hash: Buffer;
}

async function chainRows(ds: DataSource): Promise<Row[]> {
  return ds.query(`SELECT seq::text AS seq, chain, id, prev_hash, hash FROM audit_log ORDER BY audit_log.seq`);
}

/** Every row links to the row before it on its chain (the first to the chain's genesis), and no predecessor is named twice. */
function expectUnforked(rows: Row[]): void {
  const last = new Map<number, Buffer>();
  for (const row of rows) {
    expect({ seq: row.seq, linked: row.prev_hash.equals(last.get(row.chain) ?? genesisHash(row.chain)) }).toEqual({ seq: row.seq, linked: true });
    last.set(row.chain, row.hash);
  }
  expect(new Set(rows.map((r) => r.prev_hash.toString('hex'))).size).toBe(rows.length);
}

describe('the audit log', () => {
  let t: TestApp;
  let ds: DataSource;
  let audit: AuditService;

  beforeAll(async () => {
    t = await startTestApp({ imports: [ProbeModule] });
    ds = t.app.get(DataSource);
    audit = t.app.get(AuditService);
    await ds.query(`CREATE TABLE probe_things (id serial PRIMARY KEY, name text NOT NULL)`);
  });
  afterAll(async () => {
    await t?.close();
    if (t) await rm(path.resolve(t.config.dataDir), { recursive: true, force: true });
  });

  const read = (personId: string, user?: AuthUser, purpose = 'conference-preparation') =>
    requestContext.run({ requestId: `req-${randomUUID()}`, user, purpose }, () =>
      audit.recordRead({ action: 'person.read', objectType: 'person', objectId: personId, subjectIds: [personId] }),
    );

  it('records a write in its transaction, with request id and purpose from the request, and no personal data', async () => {
    const res = await t.http.post('/api/v1/probe/audit/things').set('X-Request-Id', 'req-write-1').set('X-Purpose', 'referral-intake').send({ name: 'Aino Virtanen' }).expect(201);
    const [row] = await ds.query(`SELECT * FROM audit_log WHERE request_id = 'req-write-1'`);
    expect(row).toMatchObject({ action: 'probe.create', object_type: 'probe', object_id: String(res.body.id), purpose: 'referral-intake', actor_id: null });
    expect(JSON.stringify(row)).not.toContain('Aino');
  });

  it('chains every row to the one before it, from the genesis', async () => {
    for (let i = 0; i < 3; i++) await read(randomUUID());
    const rows = await chainRows(ds);
    expect(rows[0]!.prev_hash.equals(Buffer.alloc(32))).toBe(true);
    // One after another, nothing else audited meanwhile: one chain, as before there were several.
    expect(rows.slice(-3).map((r) => r.chain)).toEqual([0, 0, 0]);
    expectUnforked(rows);
    expect(await audit.verify()).toMatchObject({ valid: true, checked: rows.length, headSeq: rows.at(-1)!.seq, headHash: rows.at(-1)!.hash.toString('hex') });
  });

  it('serialises 50 concurrent appends from separate transactions into unforked chains', async () => {
    const before = (await chainRows(ds)).length;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ds.transaction(async (tx) => {
          await tx.query(`INSERT INTO probe_things (name) VALUES ($1)`, [`concurrent ${i}`]);
          await audit.record(tx, { action: 'probe.create', objectType: 'probe', objectId: `c-${i}` });
        }),
      ),
    );
    const rows = await chainRows(ds);
    expect(rows).toHaveLength(before + 50);
    expectUnforked(rows);
    expect(await audit.verify()).toMatchObject({ valid: true, checked: rows.length });
  });

  it('puts an append on a free chain at once while another transaction holds chain 0, and keeps a transaction on its chain', async () => {
    const holder = ds.createQueryRunner();
    await holder.connect();
    try {
      await holder.startTransaction();
      const first = await audit.record(holder.manager, { action: 'probe.create', objectType: 'probe', objectId: 'holder-1' });
      // Not waiting for the holder: on a lock wait this would time out (lock_timeout) or hang the test.
      const other = await ds.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '2s'`);
        return audit.record(tx, { action: 'probe.create', objectType: 'probe', objectId: 'other' });
      });
      const second = await audit.record(holder.manager, { action: 'probe.create', objectType: 'probe', objectId: 'holder-2' });
      await holder.commitTransaction();
      const chainOf = async (id: string) => Number((await ds.query(`SELECT chain FROM audit_log WHERE id = $1`, [id]))[0].chain);
      expect(await chainOf(first.id)).toBe(0);
      expect(await chainOf(other.id)).toBeGreaterThan(0);
      expect(await chainOf(second.id)).toBe(0);
      // The other transaction committed first though its seq is later than the holder's first row.
      expect(BigInt(other.seq)).toBeGreaterThan(BigInt(first.seq));
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
    expectUnforked(await chainRows(ds));
    expect(await audit.verify()).toMatchObject({ valid: true });
  });

  it('serialises concurrent HTTP reads too', async () => {
    const before = (await chainRows(ds)).length;
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.http.get(`/api/v1/probe/audit/people/${randomUUID()}`)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const rows = await chainRows(ds);
    expect(rows).toHaveLength(before + 20);
    expectUnforked(rows);
  });

  it('leaves no row when the transaction that recorded it rolls back', async () => {
    const before = (await chainRows(ds)).length;
    await expect(
      ds.transaction(async (tx) => {
        await audit.record(tx, { action: 'probe.create', objectType: 'probe', objectId: 'rolled-back' });
        throw new Error('the change fails after it was audited');
      }),
    ).rejects.toThrow('the change fails');
    expect(await chainRows(ds)).toHaveLength(before);
    expect((await ds.query(`SELECT 1 FROM audit_log WHERE object_id = 'rolled-back'`)).length).toBe(0);
    expect((await audit.verify()).valid).toBe(true);
  });

  it('refuses, rather than forks, an append from a snapshot older than the head (REPEATABLE READ)', async () => {
    const qr = ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction('REPEATABLE READ');
      await qr.query(`SELECT count(*) FROM audit_log`); // the snapshot is taken here
      await read(randomUUID()); // another transaction moves the head and commits
      // The row goes with the COMMIT (WITH_COMMIT, preparing-client.ts): the commit is refused.
      await audit.record(qr.manager, { action: 'probe.create', objectType: 'probe', objectId: 'stale' });
      await expect(qr.commitTransaction()).rejects.toMatchObject({ driverError: { code: '23505' } }); // the chain's (chain, prev_hash) is taken
      await qr.rollbackTransaction();
    } finally {
      await qr.release();
    }
    expectUnforked(await chainRows(ds));
    expect((await audit.verify()).valid).toBe(true);
  });

  describe('fails closed', () => {
    beforeAll(() => ds.query(`ALTER TABLE audit_log ADD CONSTRAINT probe_audit_fails CHECK (action <> 'probe.fail')`));
    afterAll(() => ds.query(`ALTER TABLE audit_log DROP CONSTRAINT probe_audit_fails`));

    it('does not commit a write whose audit row cannot be written', async () => {
      const count = async () => Number((await ds.query(`SELECT count(*) FROM probe_things WHERE name = 'never committed'`))[0].count);
      const res = await t.http.post('/api/v1/probe/audit/things').send({ name: 'never committed', action: 'probe.fail' }).expect(500);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(await count()).toBe(0);
    });

    it('refuses a read whose audit row cannot be written, without the data', async () => {
      const res = await t.http.get(`/api/v1/probe/audit/people/${FAILING_PERSON}`).expect(500);
      expect(JSON.stringify(res.body)).not.toContain('only after the read is audited');
    });

    it('refuses details not on the allow-list, and the change with them', async () => {
      const before = (await chainRows(ds)).length;
      await expect(
        ds.transaction(async (tx) => {
          await tx.query(`INSERT INTO probe_things (name) VALUES ('with bad details')`);
          await audit.record(tx, { action: 'probe.create', objectType: 'probe', details: { victimName: 'Aino' } as never });
        }),
      ).rejects.toThrow(AuditEntryError);
      await expect(audit.recordRead({ action: 'person.read', objectType: 'person', details: { reasonCode: 'free text with spaces' } })).rejects.toThrow(AuditEntryError);
      expect(await chainRows(ds)).toHaveLength(before);
      expect((await ds.query(`SELECT 1 FROM probe_things WHERE name = 'with bad details'`)).length).toBe(0);
    });

    it('refuses to record outside a transaction (the lock would not hold)', async () => {
      await expect(audit.record(ds.manager, { action: 'probe.create', objectType: 'probe' })).rejects.toThrow(AuditTransactionError);
    });
  });

  it('is protected by PostgreSQL itself: UPDATE, DELETE and TRUNCATE are refused', async () => {
    await expect(ds.query(`UPDATE audit_log SET purpose = 'rewritten'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(ds.query(`DELETE FROM audit_log WHERE seq = (SELECT min(seq) FROM audit_log)`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(ds.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect((await audit.verify()).valid).toBe(true);
  });

  it("lists every access to one person's data, and nobody else's: who, agency, role, action, when, purpose", async () => {
    const group = randomUUID();
    const police = userIn(randomUUID(), 'agency_rep', group);
    const coordinator = userIn(randomUUID(), 'coordinator', group);
    const person = randomUUID();
    const other = randomUUID();
    await read(person, police, 'conference-preparation');
    await read(other, police);
    await read(person, coordinator, 'triage');
    await requestContext.run({ requestId: 'req-shared', user: coordinator }, () =>
      audit.recordRead({ action: 'case.read', objectType: 'case', objectId: 'MRK-2027-0001', subjectIds: [other, person] }),
    );

    const res = await t.admin.get(`/api/v1/people/${person}/access-log`).expect(200);
    expect(res.body.nextCursor).toBeNull();
    // The report's own reading is recorded after the scan: it shows in the next report.
    expect(res.body.items.map((i: { action: string }) => i.action)).toEqual(['case.read', 'person.read', 'person.read']);
    expect(res.body.items[2]).toEqual({
      id: expect.any(String),
      occurredAt: expect.any(String),
      actorId: police.id,
      actorAgencyId: police.agencyId,
      // Invented ids here, with no user or agency rows: no names to show.
      actorName: null,
      actorAgencyName: null,
      actorRoles: [`agency_rep@${group}`],
      action: 'person.read',
      objectType: 'person',
      objectId: person,
      purpose: 'conference-preparation',
      requestId: expect.stringMatching(/^req-/),
    });
    expect(res.body.items[1]).toMatchObject({ actorId: coordinator.id, actorRoles: [`coordinator@${group}`], purpose: 'triage' });
    const next = await t.admin.get(`/api/v1/people/${person}/access-log`).expect(200);
    expect(next.body.items[0]).toMatchObject({ action: 'person.access-log-read', actorId: expect.any(String), actorRoles: ['admin'] });
    expect(res.body.items.some((i: { objectId: string }) => i.objectId === other)).toBe(false);

    const page = await t.admin.get(`/api/v1/people/${person}/access-log?limit=2`).expect(200);
    expect(page.body.items).toHaveLength(2);
    const rest = await t.admin.get(`/api/v1/people/${person}/access-log?limit=2&cursor=${page.body.nextCursor}`).expect(200);
    expect(rest.body.items.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the data-subject index’s pending list at 256 kB, and a data subject’s access log finds reads past its merges', async () => {
    // 256 kB, not PostgreSQL's 4 MB: the audited read that merges the list waits for the merge
    // (migration 1764000007000).
    const [{ reloptions }] = await ds.query(`SELECT reloptions FROM pg_class WHERE relname = 'audit_log_subject_ids_idx'`);
    expect(reloptions).toEqual(['gin_pending_list_limit=256']);

    // An inbox page's worth of data subjects per read: about 640 kB of entries, two merges at 256 kB.
    const people = Array.from({ length: 400 }, () => Array.from({ length: 50 }, () => randomUUID()));
    for (const subjectIds of people) {
      await audit.recordRead({ action: 'action.list', objectType: 'action', subjectIds });
    }
    for (const i of [0, 137, 399]) {
      const person = people[i]![i % 50]!;
      const res = await t.admin.get(`/api/v1/people/${person}/access-log`).expect(200);
      expect(res.body.items.map((item: { action: string }) => item.action)).toEqual(['action.list']);
    }
  }, 60_000);

  it('gives up setting that limit after 1 s behind a transaction that holds the audit log, and sets it once that ends', async () => {
    const limit = async () => (await ds.query(`SELECT reloptions FROM pg_class WHERE relname = 'audit_log_subject_ids_idx'`))[0].reloptions;
    await ds.query(`ALTER INDEX audit_log_subject_ids_idx RESET (gin_pending_list_limit)`);
    const migrate = async () => {
      const runner = ds.createQueryRunner();
      await runner.startTransaction();
      try {
        await new AuditSubjectIndexPendingList1764000007000().up(runner);
        await runner.commitTransaction();
      } catch (e) {
        await runner.rollbackTransaction();
        throw e;
      } finally {
        await runner.release();
      }
    };
    // A reader of the audit log in an open transaction: planning the SELECT locks the table's indexes until it ends.
    const reader = new pg.Client({ connectionString: t.db.url });
    await reader.connect();
    try {
      await reader.query(`BEGIN`);
      await reader.query(`SELECT count(*) FROM audit_log`);
      const started = Date.now();
      await expect(migrate()).rejects.toMatchObject({ code: '55P03' }); // lock_not_available
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(await limit()).toBeNull();
      await reader.query(`COMMIT`);
      await migrate();
      expect(await limit()).toEqual(['gin_pending_list_limit=256']);
    } finally {
      await reader.end();
      // The rest of this file runs on the migrated setting, whatever happened above.
      await ds.query(`ALTER INDEX audit_log_subject_ids_idx SET (gin_pending_list_limit = 256)`);
    }
  }, 30_000);

  it('answers the audit routes to no one without a token', async () => {
    for (const p of ['/api/v1/audit', '/api/v1/audit/verify', `/api/v1/people/${randomUUID()}/access-log`]) {
      const res = await t.http.get(p).expect(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('refuses an access log for something that is not a person id, as problem+json', async () => {
    const res = await t.admin.get('/api/v1/people/131052-308T/access-log').expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.type).toBe('https://marak.example/problems/validation');
  });

  it('searches the log by object, actor and time, newest first, a page at a time', async () => {
    const actor = userIn(randomUUID(), 'coordinator', randomUUID());
    const caseId = randomUUID();
    for (let i = 0; i < 3; i++) {
      await requestContext.run({ requestId: `req-search-${i}`, user: actor }, () => audit.recordRead({ action: 'case.read', objectType: 'case', objectId: caseId }));
    }
    const first = await t.admin.get(`/api/v1/audit?objectType=case&objectId=${caseId}&limit=2`).expect(200);
    expect(first.body.items.map((i: { requestId: string }) => i.requestId)).toEqual(['req-search-2', 'req-search-1']);
    expect(first.body.items[0]).toMatchObject({ actorId: actor.id, actorAgencyId: actor.agencyId, objectType: 'case', objectId: caseId, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const second = await t.admin.get(`/api/v1/audit?objectType=case&objectId=${caseId}&limit=2&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ requestId: 'req-search-0' })], nextCursor: null });

    const byActor = await t.admin.get(`/api/v1/audit?actorId=${actor.id}`).expect(200);
    expect(byActor.body.items).toHaveLength(3);
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const none = await t.admin.get(`/api/v1/audit?actorId=${actor.id}&from=${encodeURIComponent(future)}`).expect(200);
    expect(none.body.items).toHaveLength(0);
    const searches = await ds.query(`SELECT 1 FROM audit_log WHERE action = 'audit.search'`);
    expect(searches.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses malformed search filters as problem+json', async () => {
    for (const q of ['actorId=nobody', 'limit=500', 'from=yesterday', 'cursor=abc', 'objectId=Aino%20Virtanen', 'unknown=1']) {
      const res = await t.admin.get(`/api/v1/audit?${q}`).expect(400);
      expect(res.body.type).toBe('https://marak.example/problems/validation');
    }
  });

  it('verifies over HTTP: {valid, checked}', async () => {
    const res = await t.admin.get('/api/v1/audit/verify').expect(200);
    expect(res.body).toMatchObject({ valid: true, checked: expect.any(Number) });
    expect(res.body.checked).toBeGreaterThan(80);
    expect(res.body.firstBrokenId).toBeUndefined();
  });

  it('writes the head outside the database every five minutes (worker job, file and log line)', async () => {
    const queue = new Queue('audit', { connection: { url: testEnvironment().redisUrl }, prefix: t.config.queuePrefix });
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'audit-export-head', every: 300_000 })]));
    } finally {
      await queue.close();
    }
    const result = await t.app.get(AuditHeadProcessor).handlers()['audit.export-head']!({} as never);
    const [head] = await ds.query(`SELECT seq::text AS seq, encode(hash, 'hex') AS hash FROM audit_log ORDER BY audit_log.seq DESC LIMIT 1`);
    expect(result).toEqual({ seq: head.seq, hash: head.hash });
    const lines = (await readFile(audit.headsPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ seq: head.seq, hash: head.hash });
    // Unchanged head: logged again, but no second line.
    await audit.exportHead();
    expect((await readFile(audit.headsPath, 'utf8')).trim().split('\n')).toHaveLength(lines.length);
    expect(await audit.verify()).toMatchObject({ valid: true, recordedHeads: lines.length });
  });
});

/** Each case breaks the chain on a database of its own, as the superuser with triggers off. */
describe('the audit chain under tampering', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let audit: AuditService;
  let dataDir: string;

  beforeEach(async () => {
    db = await createTestDatabase();
    const config = testConfig(db);
    dataDir = config.dataDir;
    ds = new DataSource(dataSourceOptions(db.url, { extra: { max: 4 } }));
    await ds.initialize();
    audit = new AuditService(ds, config, new TestClock());
    for (let i = 1; i <= 5; i++) await audit.recordRead({ action: 'case.read', objectType: 'case', objectId: `MRK-2027-000${i}`, actor: null });
  });
  afterEach(async () => {
    await ds?.destroy();
    await db?.drop();
    await rm(path.resolve(dataDir), { recursive: true, force: true });
  });

  const rowAt = async (n: number): Promise<{ id: string; seq: string }> =>
    (await ds.query(`SELECT id, seq::text AS seq FROM audit_log ORDER BY audit_log.seq OFFSET $1 LIMIT 1`, [n - 1]))[0];
  const behindTheTriggers = async (sql: string, params: unknown[] = []) => {
    await ds.query(`ALTER TABLE audit_log DISABLE TRIGGER USER`);
    try {
      await ds.query(sql, params);
    } finally {
      await ds.query(`ALTER TABLE audit_log ENABLE TRIGGER USER`);
    }
  };

  it('verifies the untouched chain, in batches', async () => {
    expect(await audit.verify()).toMatchObject({ valid: true, checked: 5 });
    const key = parseBlindIndexKey(testConfig(db).auditKey);
    expect(await new AuditChainVerifier((sql, p) => ds.query(sql, p), key, undefined, 2).verify()).toMatchObject({ valid: true, checked: 5 });
    expect(await new AuditChainVerifier((sql, p) => ds.query(sql, p), Buffer.alloc(32, 1).fill(2, 16), undefined, 2).verify()).toMatchObject({ valid: false, checked: 1, reason: 'hash-mismatch' });
  });

  it('detects one altered row and names it', async () => {
    const third = await rowAt(3);
    await behindTheTriggers(`UPDATE audit_log SET object_id = 'MRK-2027-0999' WHERE id = $1`, [third.id]);
    expect(await audit.verify()).toMatchObject({ valid: false, checked: 3, firstBrokenId: third.id, firstBrokenSeq: third.seq, reason: 'hash-mismatch' });
  });

  it('detects a row whose hash was replaced along with its content', async () => {
    const second = await rowAt(2);
    await behindTheTriggers(`UPDATE audit_log SET actor_id = $2, hash = sha256(hash) WHERE id = $1`, [second.id, randomUUID()]);
    expect(await audit.verify()).toMatchObject({ valid: false, firstBrokenId: second.id, reason: 'hash-mismatch' });
  });

  it('detects a deleted middle row, naming the row after the gap', async () => {
    const third = await rowAt(3);
    const fourth = await rowAt(4);
    await behindTheTriggers(`DELETE FROM audit_log WHERE id = $1`, [third.id]);
    expect(await audit.verify()).toMatchObject({ valid: false, checked: 3, firstBrokenId: fourth.id, reason: 'link-broken' });
  });

  it('detects a truncated tail through the head recorded outside the database', async () => {
    await audit.exportHead();
    const fifth = await rowAt(5);
    await behindTheTriggers(`DELETE FROM audit_log WHERE seq >= (SELECT seq FROM audit_log ORDER BY audit_log.seq OFFSET 3 LIMIT 1)`);
    // The links that remain are intact: only the recorded head shows the cut.
    const key = parseBlindIndexKey(testConfig(db).auditKey);
    expect(await new AuditChainVerifier((sql, p) => ds.query(sql, p), key).verify()).toMatchObject({ valid: true, checked: 3 });
    expect(await audit.verify()).toMatchObject({ valid: false, checked: 3, firstBrokenId: fifth.id, firstBrokenSeq: fifth.seq, reason: 'recorded-head-missing' });
  });

  it('detects a truncated table, and a tail cut then written over', async () => {
    await audit.exportHead();
    const fifth = await rowAt(5);
    await behindTheTriggers(`DELETE FROM audit_log WHERE seq >= (SELECT seq FROM audit_log ORDER BY audit_log.seq OFFSET 4 LIMIT 1)`);
    await audit.recordRead({ action: 'case.read', objectType: 'case', actor: null });
    expect(await audit.verify()).toMatchObject({ valid: false, firstBrokenId: fifth.id, reason: 'recorded-head-missing' });
    await behindTheTriggers(`TRUNCATE audit_log`);
    expect(await audit.verify()).toMatchObject({ valid: false, checked: 0, firstBrokenId: fifth.id, reason: 'recorded-head-missing' });
  });

  it('follows each chain: a row deleted from chain 1 names the next row of chain 1, not the next row of the log', async () => {
    const holder = ds.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    await audit.record(holder.manager, { action: 'case.read', objectType: 'case', objectId: 'MRK-2027-0006', actor: null });
    for (let i = 7; i <= 9; i++) await audit.recordRead({ action: 'case.read', objectType: 'case', objectId: `MRK-2027-000${i}`, actor: null });
    await holder.commitTransaction();
    await holder.release();
    await audit.recordRead({ action: 'case.read', objectType: 'case', objectId: 'MRK-2027-0010', actor: null });
    const rows: Array<{ id: string; seq: string; chain: number; object_id: string }> = await ds.query(
      `SELECT id, seq::text AS seq, chain, object_id FROM audit_log ORDER BY audit_log.seq`,
    );
    expect(rows.map((r) => [r.object_id, r.chain])).toEqual([
      ['MRK-2027-0001', 0], ['MRK-2027-0002', 0], ['MRK-2027-0003', 0], ['MRK-2027-0004', 0], ['MRK-2027-0005', 0],
      ['MRK-2027-0006', 0], ['MRK-2027-0007', 1], ['MRK-2027-0008', 1], ['MRK-2027-0009', 1], ['MRK-2027-0010', 0],
    ]);
    expect(await audit.verify()).toMatchObject({ valid: true, checked: 10 });
    await audit.exportHead();
    const recorded = (await readFile(audit.headsPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).seq);
    expect(recorded).toEqual([rows[8]!.seq, rows[9]!.seq]); // each chain's head, the newest last

    await behindTheTriggers(`DELETE FROM audit_log WHERE id = $1`, [rows[7]!.id]);
    expect(await audit.verify()).toMatchObject({ valid: false, checked: 8, firstBrokenId: rows[8]!.id, reason: 'link-broken' });
  });

  it('detects a row moved to another chain', async () => {
    const third = await rowAt(3);
    await behindTheTriggers(`UPDATE audit_log SET chain = 1 WHERE id = $1`, [third.id]);
    expect(await audit.verify()).toMatchObject({ valid: false, firstBrokenId: third.id, reason: 'link-broken' });
  });

  it('`npm run audit:verify` prints the result and exits 1 when the chain is broken', async () => {
    const run = () =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [path.resolve('dist/src/cli/audit-verify.js')],
          { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATABASE_URL: db.url, MARAK_DATA_DIR: dataDir, LOG_LEVEL: 'warn' } },
          (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr }),
        );
      });
    const ok = await run();
    expect({ ...ok, stderr: ok.stderr.slice(-2000) }).toMatchObject({ code: 0 });
    expect(JSON.parse(ok.stdout.trim().split('\n').at(-1)!)).toMatchObject({ valid: true, checked: 5 });
    const second = await rowAt(2);
    await behindTheTriggers(`UPDATE audit_log SET purpose = 'other' WHERE id = $1`, [second.id]);
    const broken = await run();
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout.trim().split('\n').at(-1)!)).toMatchObject({ valid: false, firstBrokenId: second.id });
  });
});
