import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { makeTemporaryHetu } from '../libs/hetu/index.js';
import { defaultRiskForms } from '../libs/risk-forms/index.js';
import { aGroup, anAgency, aUser, Api, BENCH_ADMIN, apiProcesses, startApp, warmUpConnections } from './lib/app-process.js';
import { freshDatabase, withClient } from './lib/databases.js';
import { gcPauses, serverSide, withAppMetrics } from './lib/app-metrics.js';
import { measureCpu, perRequest } from './lib/cpu.js';
import { load, loop, met, ms } from './lib/measure.js';

/**
 * `npm run bench -- referral-submit`: what a referrer does to refer a victim, through HTTP —
 * `POST /referrals` (validation, scoring, encryption of the people and the free text, blind
 * indexes, audit) and `POST /referrals/:id/submit` (eligibility, repeat lookup, reference, the
 * triage timer, the coordinator's mail in the outbox, audit), each one transaction — against the
 * same rows written with raw `pg` in the same two transactions per referral (the rows of a
 * referral the HTTP run wrote are the template). Two figures, each against its baseline:
 *  1. a steady 100 requests/s (50 referrals/s): p50/p99 per request; target p99 < 50 ms;
 *  2. as fast as 10 connections go: requests/s; target at least 1/3 of the raw pg baseline's.
 * The app runs as child processes (MARAK_ROLE=api, one per core unless BENCH_API_PROCESSES says,
 * each with a pool of 10) on a fresh `marak_bench_referrals`.
 */
const CONNECTIONS = 10;
const STEADY_RATE = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const FORM = defaultRiskForms().latest('marak')!;
const ANSWERS = Object.fromEntries(FORM.questions.map((q, i) => [q.id, i < 15 ? 'yes' : 'no']));

/** Invented victims, each a different temporary identity code (individual numbers 900–999) and name. */
let victimSeq = 0;
function referralBody(groupId: string): string {
  const k = victimSeq++;
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(k / 100) * 86_400_000).toISOString().slice(0, 10);
  return JSON.stringify({
    groupId,
    victim: { firstName: 'Testi', lastName: `Uhri${k}`, birthDate: birth, identityCode: makeTemporaryHetu(birth, k % 100), gender: 'female', phone: '+358 40 000 0000' },
    perpetrators: [{ firstName: 'Keksitty', lastName: `Tekijä${k}`, gender: 'male' }],
    children: [],
    relationship: 'partner',
    riskAssessment: { formCode: 'marak', answers: ANSWERS },
    grounds: {},
    consent: { status: 'given', givenAt: '2026-11-20', method: 'written' },
    summary: 'Keksitty tapaus testiä varten: uhkailua ja kuristamista.',
  });
}

const databaseUrl = await freshDatabase('marak_bench_referrals');
let app = await startApp({ databaseUrl });
let code = 0;
try {
  const admin = await new Api(app.url).login(BENCH_ADMIN.email, BENCH_ADMIN.password);
  const police = await anAgency(admin, 'police');
  const support = await anAgency(admin, 'victim_support');
  const group = await aGroup(admin, [police.id, support.id]);
  await aUser(admin, support.id, [{ role: 'coordinator', groupId: group.id }]);
  await aUser(admin, support.id, [{ role: 'chair', groupId: group.id }]);
  // One referrer is enough: nothing throttles a user's referrals (only failed logins are counted).
  const referrer = await aUser(admin, police.id, [{ role: 'referrer', groupId: group.id }]);

  const requests = [
    {
      method: 'POST' as const,
      path: '/api/v1/referrals',
      setupRequest: (req: any) => ({ ...req, body: referralBody(group.id) }),
      onResponse: (status: number, body: string, context: any) => {
        context.referralId = status === 201 ? JSON.parse(body).id : undefined;
      },
    },
    {
      method: 'POST' as const,
      setupRequest: (req: any, context: any) => ({ ...req, path: `/api/v1/referrals/${context.referralId ?? randomUUID()}/submit`, body: '{}' }),
    },
  ];
  const http = (rate?: number, onCounting?: () => void) => load({ url: app.urls, token: referrer.api.token, connections: CONNECTIONS, seconds: SECONDS, rate, requests, onCounting });

  await load({ url: app.urls, token: referrer.api.token, connections: warmUpConnections(), seconds: 5, requests }); // warm-up: JIT, every pool connection, caches
  // CPU per request (bench/lib/cpu.ts) beside each wall-clock figure: it moves far less with what
  // else the machine runs, so it is what a before/after compares.
  const {
    result: { result: steady, app: steadyApp, seconds: steadySeconds },
    cpu: steadyCpu,
  } = await measureCpu(app.pids, databaseUrl, () => withAppMetrics(app.urls, (onCounting) => http(STEADY_RATE, onCounting)));
  const inApp = `${serverSide(steadyApp, 'POST', ['/api/v1/referrals', '/api/v1/referrals/:id/submit'], 50)}; ${gcPauses(steadyApp, app.pids.length, steadySeconds)}`;
  const { result: max, cpu: maxCpu } = await measureCpu(app.pids, databaseUrl, () => http());

  // The template: every row one referral wrote, read back from the database.
  const template = await withClient(databaseUrl, async (c) => {
    const [referral] = (await c.query(`SELECT * FROM referrals WHERE status = 'submitted' ORDER BY submitted_at DESC LIMIT 1`)).rows;
    const people = (await c.query(`SELECT * FROM people WHERE id = ANY($1::uuid[]) ORDER BY role DESC`, [[referral.victim_id, ...referral.perpetrator_ids, ...referral.child_ids]])).rows;
    const audit = (await c.query(`SELECT * FROM audit_log WHERE object_type = 'referral' AND object_id = $1 ORDER BY seq`, [referral.id])).rows;
    const timers = (await c.query(`SELECT * FROM timers WHERE subject_id = $1`, [referral.id])).rows;
    const notifications = (await c.query(`SELECT * FROM notifications WHERE idempotency_key LIKE '%' || $1 || '%'`, [referral.id])).rows;
    const [{ n }] = (await c.query(`SELECT count(*)::int AS n FROM referrals`)).rows;
    return { referral, people, audit, timers, notifications, referrals: n as number };
  });
  if (template.audit.length !== 2 || template.timers.length !== 1 || template.notifications.length !== 1) {
    throw new Error(`unexpected template: ${template.audit.length} audit rows, ${template.timers.length} timers, ${template.notifications.length} notifications`);
  }
  await app.stop(); // the baseline has the machine to itself
  app = undefined as never;

  const pool = new pg.Pool({ connectionString: databaseUrl, max: CONNECTIONS, application_name: 'marak-bench-raw', idleTimeoutMillis: 0 });
  try {
    const raw = rawReferral(template);
    // Two transactions per referral, as over HTTP: one "request" of the baseline is one transaction.
    const rawOp = async (step: number) => {
      const c = await pool.connect();
      try {
        await raw(c, step);
      } finally {
        c.release();
      }
    };
    const perWorker = new Map<number, number>();
    const alternate = async (w: number) => {
      const step = perWorker.get(w) ?? 0;
      perWorker.set(w, step ^ 1);
      await rawOp(w * 2 + step);
    };
    await loop({ concurrency: CONNECTIONS, seconds: 3 }, alternate);
    const rawSteady = await loop({ concurrency: CONNECTIONS, seconds: SECONDS, rate: STEADY_RATE }, alternate);
    const { result: rawMax, cpu: rawMaxCpu } = await measureCpu('self', databaseUrl, () => loop({ concurrency: CONNECTIONS, seconds: SECONDS }, alternate));

    const steadyOk = steady.p99 < 50 && steady.failed === 0;
    const maxRatio = max.rps / rawMax.rate;
    const maxOk = maxRatio >= 1 / 3 && max.failed === 0;
    process.stdout.write(
      `# rows per referral (create + submit): referrals 1, people ${template.people.length}, audit_log 2, timers 1, notifications 1, reference_counters 1 upsert; ${apiProcesses()} API processes (BENCH_API_PROCESSES), raw pg one process; ${CONNECTIONS} connections, ${SECONDS} s per run; ${template.referrals} referrals written over HTTP\n`,
    );
    process.stdout.write(
      `referral create+submit over HTTP at a steady ${STEADY_RATE} requests/s: ${steady.rps.toFixed(1)} requests/s (${(steady.rps / 2).toFixed(1)} referrals/s), p50 ${ms(steady.p50)}, p99 ${ms(steady.p99)}, ${steady.failed} failed; ` +
        `raw pg same rows at ${STEADY_RATE} tx/s: p50 ${ms(rawSteady.p50)}, p99 ${ms(rawSteady.p99)}; p99 ratio ${(steady.p99 / rawSteady.p99).toFixed(1)}x; ${perRequest(steadyCpu, steady.responses)}; ${inApp}; target p99 < 50 ms: ${met(steadyOk)}\n`,
    );
    process.stdout.write(
      `referral create+submit over HTTP, max throughput (${CONNECTIONS} connections): ${max.rps.toFixed(1)} requests/s (${(max.rps / 2).toFixed(1)} referrals/s), p50 ${ms(max.p50)}, p99 ${ms(max.p99)}, ${max.failed} failed; ` +
        `raw pg same rows: ${rawMax.rate.toFixed(1)} tx/s (${(rawMax.rate / 2).toFixed(1)} referrals/s), p50 ${ms(rawMax.p50)}, p99 ${ms(rawMax.p99)}; ratio ${maxRatio.toFixed(3)}; ${perRequest(maxCpu, max.responses)}; raw pg ${perRequest(rawMaxCpu, rawMax.count, 'transaction', 'client (this process)')}; target >= 1/3: ${met(maxOk)}\n`,
    );
    if (!steadyOk || !maxOk) code = 1;
  } finally {
    await pool.end();
  }
} finally {
  await app?.stop();
}
process.exit(code);

type Row = Record<string, unknown>;

/**
 * The raw-pg writer of one referral in two transactions shaped as the app's: `step` even = the
 * create (people, the draft referral, its audit row), odd = the submit (reference counter, the
 * referral submitted, the triage timer, the coordinator's mail, its audit row). Every row is a
 * copy of the template's with new ids (and new audit hashes: they are unique).
 */
function rawReferral(t: { referral: Row; people: Row[]; audit: Row[]; timers: Row[]; notifications: Row[] }) {
  const oldIds = [String(t.referral.id), ...t.people.map((p) => String(p.id))];
  const swap = (value: unknown, ids: Map<string, string>): unknown => {
    if (typeof value === 'string') {
      let s = value;
      for (const [from, to] of ids) s = s.split(from).join(to);
      return s;
    }
    if (Array.isArray(value)) return value.map((v) => swap(v, ids));
    if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) return JSON.parse(swap(JSON.stringify(value), ids) as string);
    return value;
  };
  const insert = async (c: pg.PoolClient, table: string, row: Row, ids: Map<string, string>, override: Row = {}, omit: string[] = []) => {
    const cols = Object.keys(row).filter((k) => !omit.includes(k));
    const values = cols.map((k) => {
      const v = k in override ? override[k] : swap(row[k], ids);
      return v && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v) && !Array.isArray(v) ? JSON.stringify(v) : v;
    });
    await c.query(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, values);
  };
  const pending = new Map<number, Map<string, string>>();
  const r = t.referral;
  return async (c: pg.PoolClient, step: number) => {
    const worker = step >> 1;
    await c.query('BEGIN');
    try {
      if ((step & 1) === 0) {
        const ids = new Map(oldIds.map((id) => [id, randomUUID()]));
        pending.set(worker, ids);
        for (const p of t.people) await insert(c, 'people', p, ids);
        await insert(c, 'referrals', r, ids, {
          status: 'draft', reference: null, eligible: null, eligibility_grounds: null, known_in_other_group: false, submitted_at: null, version: 1,
        });
        await insert(c, 'audit_log', t.audit[0]!, ids, { id: randomUUID(), prev_hash: randomBytes(32), hash: randomBytes(32) }, ['seq']);
      } else {
        const ids = pending.get(worker)!;
        const id = ids.get(String(r.id))!;
        const year = new Date().getUTCFullYear();
        const [{ last }] = (await c.query(`INSERT INTO reference_counters (year, last) VALUES ($1, 1) ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last`, [year])).rows;
        await c.query(
          `UPDATE referrals SET status = 'submitted', reference = $2, eligible = $3, eligibility_grounds = $4, known_in_other_group = $5, submitted_at = $6, version = $7, updated_at = $6 WHERE id = $1`,
          [id, `MRK-${year}-${String(last).padStart(5, '0')}`, r.eligible, r.eligibility_grounds, r.known_in_other_group, new Date(), r.version],
        );
        for (const timer of t.timers) await insert(c, 'timers', timer, ids, { id: randomUUID() });
        for (const n of t.notifications) await insert(c, 'notifications', n, ids, { id: randomUUID() });
        await insert(c, 'audit_log', t.audit[1]!, ids, { id: randomUUID(), prev_hash: randomBytes(32), hash: randomBytes(32) }, ['seq']);
      }
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK');
      throw e;
    }
  };
}
