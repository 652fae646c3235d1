import { createHash } from 'node:crypto';
import * as fc from 'fast-check';
import { Redis } from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { makeTemporaryHetu } from '../../libs/hetu/index.js';
import { TokenService } from '../../src/modules/identity/token.service.js';
import { aUser, PASSWORD } from '../harness/factories.js';
import { aMarakGroup, agreeActions, anOpenCase, relogin, type MarakGroup } from '../harness/marak.js';
import { aReferralBody } from '../harness/referrals.js';
import { startTestApp, TEST_ADMIN, type TestApp } from '../harness/test-app.js';
import { testEnvironment } from '../harness/environment.js';
import {
  anyString,
  bodyMode,
  CALLERS,
  headers as headersArb,
  idChoice,
  isRef,
  likelyCaller,
  mutate,
  mutation,
  poolForName,
  shortString,
  toJson,
  validish,
  wellFormed,
  type BodyMode,
  type CallerName,
  type HeaderSet,
  type IdChoice,
  type Mutation,
  type OpenApi,
  type Operation,
  type PoolName,
} from './arbitraries.js';
import { changedTables, fingerprinter, quiesce, type Fingerprint } from './fingerprint.js';

/*
 * Property-based fuzzing of every operation (path × method) of the OpenAPI document the running
 * app serves, as several callers, with bodies, ids, query strings and headers generated from the
 * document and then mutated. For every response:
 *  - never a 5xx (none is documented);
 *  - every 4xx is application/problem+json with type, title and the same status;
 *  - no error (body or headers) carries the personal data of the seeded people, nor any
 *    generated string of 8 characters or more that the request sent;
 *  - a refused request (4xx) leaves the database as it was, but for the tables listed in
 *    REFUSAL_WRITES with the reason.
 *
 * FUZZ_RUNS (runs per operation, default 15: about 1,050 requests, 25–40 s here), FUZZ_SEED (default fixed: the run is repeatable),
 * FUZZ_ONLY (a substring of "METHOD /path": replay one operation), FUZZ_SHRINK=1 (shrink a
 * failure to a small counterexample: slower), FUZZ_VERBOSE=1 (a line per operation).
 * `npm run test:fuzz` runs this file alone with FUZZ_RUNS=200.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);
const ONLY = process.env.FUZZ_ONLY;
const SHRINK = process.env.FUZZ_SHRINK === '1';
const VERBOSE = process.env.FUZZ_VERBOSE === '1';

/**
 * Writes a refused request may make, with the reason. Keyed by "METHOD /path problem-slug".
 * Everything else refused must leave every table as it was.
 */
const REFUSAL_WRITES: Record<string, { tables: string[]; why: string }> = {
  'POST /api/v1/auth/login invalid-credentials': {
    tables: ['audit_log'],
    why: 'a failed login is a security event: it is audited (no personal data, the account id when known)',
  },
  'POST /api/v1/auth/mfa invalid-mfa-code': {
    tables: ['audit_log'],
    why: 'a wrong second factor is a security event: it is audited',
  },
  'POST /api/v1/auth/refresh invalid-refresh-token': {
    tables: ['audit_log', 'refresh_tokens'],
    why: 'a rotated refresh token presented again is theft or replay: the whole session family is revoked and the event audited',
  },
};

/** The invented people of the setup: none of this may appear in any error. */
const VICTIM = {
  firstName: 'Fuzzilda',
  lastName: 'Seedholm',
  birthDate: '1984-05-17',
  identityCode: makeTemporaryHetu('1984-05-17', 7),
  gender: 'female',
  address: 'Kuvitelmakatu 17 B 9, 33999 Keksilä',
  phone: '+358 50 987 6543',
  safeContactNote: 'Soita vain tiistaisin kello kymmenen',
};
const PERPETRATOR = { firstName: 'Pahanen', lastName: 'Keksittynen', gender: 'male', phone: '+358 44 555 1212' };
const CHILD = { firstName: 'Pikkuveli', lastName: 'Seedholm', birthDate: '2019-02-03', identityCode: makeTemporaryHetu('2019-02-03', 8) };
const PII = [
  ...Object.entries(VICTIM).filter(([k]) => k !== 'gender').map(([, v]) => v),
  'Pahanen',
  'Keksittynen',
  '555 1212',
  'Pikkuveli',
  CHILD.identityCode,
  '987 6543',
  'Uhri', // anOpenCase's victims, Testi Uhri
];

/** Person fields whose values, once stored by an accepted request, are personal data too. */
const PERSONAL_FIELDS = new Set(['firstName', 'lastName', 'identityCode', 'address', 'phone', 'safeContactNote', 'email', 'name', 'note', 'summary']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Caller = { email: string; password: string; token?: string; id?: string };

type FuzzRequest = {
  caller: CallerName;
  path: Record<string, IdChoice>;
  query: Array<[string, unknown]>;
  headers: HeaderSet;
  mode: BodyMode;
  body: unknown;
  mutations: Mutation[];
};

type Sent = { method: string; url: string; headers: Record<string, string>; body?: string };

describe('fuzzing every operation of the OpenAPI document', () => {
  let t: TestApp;
  let db: DataSource;
  let doc: OpenApi;
  let m: MarakGroup;
  let fingerprint: () => Promise<Fingerprint>;
  const callers: Partial<Record<CallerName, Caller>> = {};
  const pools = new Map<PoolName, string[]>();
  const refreshTokens: string[] = [];
  const mfaTokens: string[] = [];
  /** Personal values stored by accepted requests of the fuzzer itself. */
  const stored = new Set<string>();
  let benign = new Set<string>();
  let savedRoles: Array<{ user_id: string; role: string; group_id: string | null }> = [];
  let savedMemberships = '[]';
  let seededAgencies: string[] = [];
  const stats = new Map<string, Map<number, number>>();
  /** Problem types answered, by operation (FUZZ_VERBOSE prints them). */
  const slugs = new Map<string, Map<string, number>>();
  /** Refusals that wrote to an allowed table, by operation and tables. */
  const allowedWrites = new Map<string, number>();
  let requests = 0;
  /** The fingerprint of the database as it is now, when known. */
  let fp: Fingerprint | undefined;
  const spent = { send: 0, quiesce: 0, fingerprint: 0, login: 0, pools: 0 };
  async function timed<T>(what: keyof typeof spent, work: () => Promise<T>): Promise<T> {
    const at = performance.now();
    try {
      return await work();
    } finally {
      spent[what] += performance.now() - at;
    }
  }

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    t.clock.set(new Date('2027-03-01T08:00:00.000Z'));
    await t.renewAdmin();
    m = await aMarakGroup(t);
    const referrer = await aUser(t, m.police.id, [{ role: 'referrer', groupId: m.group.id }]);
    const analyst = await aUser(t, m.coordinatorAgency.id, [{ role: 'analyst', groupId: m.group.id }]);
    // Referrals with the invented people: a draft and a submitted one.
    const body = aReferralBody(m.group.id, { victim: VICTIM, perpetrators: [PERPETRATOR], children: [CHILD], childWelfareNotification: { status: 'made', madeAt: '2027-02-27' } });
    const draft = await t.as(referrer.accessToken).post('/api/v1/referrals').send(body).expect(201);
    const second = await t.as(referrer.accessToken).post('/api/v1/referrals').send({ ...body, victim: { ...VICTIM, identityCode: undefined } }).expect(201);
    const submitted = await t.as(referrer.accessToken).post(`/api/v1/referrals/${draft.body.id}/submit`).send({});
    if (submitted.status !== 200) throw new Error(`submit: ${submitted.status} ${submitted.text}`);
    expect(second.body.id).toBeDefined();
    // An open case whose conference is concluded with actions, and another on a planned conference's agenda.
    const heard = await anOpenCase(t, m.group.id);
    await agreeActions(t, m, new Date('2027-03-09T08:00:00.000Z'), [
      { caseId: heard.id, actions: [{ agencyId: m.police.id, description: 'Kotikäynti', dueInWorkingDays: 5 }, { agencyId: m.social.id, description: 'Tukisuunnitelma', dueInWorkingDays: 10 }] },
    ]);
    await t.renewAdmin();
    await relogin(t, m.coordinator, m.chair, m.reps.police, referrer, analyst);
    const pending = await anOpenCase(t, m.group.id);
    const planned = await t.as(m.coordinator.accessToken).post(`/api/v1/groups/${m.group.id}/conferences`).send({ startsAt: '2027-04-13T07:00:00.000Z' }).expect(201);
    await t.as(m.coordinator.accessToken).post(`/api/v1/conferences/${planned.body.id}/agenda`).send({ caseId: pending.id }).expect(201);

    callers.admin = { email: TEST_ADMIN.email, password: TEST_ADMIN.password };
    callers.coordinator = { email: m.coordinator.email, password: PASSWORD, id: m.coordinator.id };
    callers.chair = { email: m.chair.email, password: PASSWORD, id: m.chair.id };
    callers.rep = { email: m.reps.police.email, password: PASSWORD, id: m.reps.police.id };
    callers.referrer = { email: referrer.email, password: PASSWORD, id: referrer.id };
    callers.analyst = { email: analyst.email, password: PASSWORD, id: analyst.id };
    savedRoles = await db.query(`SELECT user_id, role, group_id FROM user_roles`);
    savedMemberships = JSON.stringify(await db.query(`SELECT * FROM group_agencies`));
    seededAgencies = [m.coordinatorAgency.id, m.police.id, m.social.id, m.health.id];
    for (const c of Object.values(callers)) await login(c!);
    mfaTokens.push(t.app.get(TokenService).signMfa(m.coordinator.id), t.app.get(TokenService).signMfa(referrer.id));

    doc = (await t.http.get('/api/docs-json').expect(200)).body as OpenApi;
    benign = benignStrings(doc);
    fingerprint = await fingerprinter(db);
    await refreshPools();
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  // ---- callers ----------------------------------------------------------------------------

  /** Clears this app's login throttle (its own Redis prefix), so the fuzzer's failed logins cannot lock the callers out. */
  async function clearThrottle(): Promise<void> {
    const redis = new Redis(testEnvironment().redisUrl, { maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${t.config.queuePrefix}-login-*`, 'COUNT', 500);
        if (keys.length) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  }

  async function login(c: Caller): Promise<void> {
    const res = await request(t.app.getHttpServer()).post('/api/v1/auth/login').send({ email: c.email, password: c.password });
    if (res.status !== 200) throw new Error(`login of a caller: ${res.status} ${res.text}`);
    c.token = res.body.accessToken;
    refreshTokens.push(res.body.refreshToken);
    fp = undefined; // a login writes (a session, an audit row): the next fingerprint is taken after it
  }

  /**
   * Puts the callers back as they were (an accepted request may have deactivated one, changed
   * its roles, deactivated its agency or taken the agency out of the group) and lifts the login
   * throttle, so that later operations are still tried by callers who may. A caller whose
   * session ended meets a 401 and logs in again.
   */
  async function restoreCallers(): Promise<void> {
    const ids = Object.values(callers).map((c) => c!.id).filter(Boolean);
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE agencies SET active = true WHERE id = ANY($1::uuid[]) AND NOT active`, [seededAgencies]);
      await tx.query(`INSERT INTO group_agencies SELECT * FROM json_populate_recordset(null::group_agencies, $1::json) ON CONFLICT DO NOTHING`, [savedMemberships]);
      await tx.query(`UPDATE users SET active = true WHERE id = ANY($1::uuid[]) OR email = $2`, [ids, TEST_ADMIN.email]);
      await tx.query(`DELETE FROM user_roles WHERE user_id = ANY($1::uuid[])`, [ids]);
      for (const r of savedRoles.filter((x) => ids.includes(x.user_id))) {
        await tx.query(`INSERT INTO user_roles (user_id, role, group_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [r.user_id, r.role, r.group_id]);
      }
    });
    await clearThrottle();
    fp = undefined;
  }

  // ---- pools of ids -----------------------------------------------------------------------

  async function refreshPools(): Promise<void> {
    const q = async (sql: string) => (await db.query(sql)).map((r: { id: string }) => r.id) as string[];
    pools.set('groups', await q(`SELECT id FROM groups ORDER BY created_at`));
    pools.set('agencies', await q(`SELECT id FROM agencies ORDER BY created_at`));
    pools.set('users', await q(`SELECT id FROM users ORDER BY created_at`));
    pools.set('cases', await q(`SELECT id FROM cases ORDER BY opened_at`));
    pools.set('conferences', await q(`SELECT id FROM conferences ORDER BY starts_at`));
    pools.set('agendaItems', await q(`SELECT id FROM agenda_items ORDER BY id`));
    pools.set('referrals', await q(`SELECT id FROM referrals ORDER BY created_at`));
    pools.set('actions', await q(`SELECT id FROM actions ORDER BY id`));
    pools.set('people', await q(`SELECT id FROM people ORDER BY id`));
    pools.set('any', [...pools.values()].flat());
  }

  const fromPool = (pool: PoolName, index: number): string => {
    const ids = pools.get(pool) ?? [];
    return ids.length ? ids[index % ids.length] : '00000000-0000-4000-8000-000000000000';
  };

  /** Replaces the placeholders (pool ids, tokens, clock-relative instants) with real values. */
  function resolve(v: unknown): unknown {
    if (isRef(v)) return fromPool(v.$pool, v.index);
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.$clockPlusMinutes === 'number' && Object.keys(o).length === 1) {
        const at = new Date(t.clock.now().getTime() + o.$clockPlusMinutes * 60_000);
        return Number.isNaN(at.getTime()) ? 'not-a-date' : at.toISOString();
      }
      if (typeof o.$token === 'string' && typeof o.index === 'number' && Object.keys(o).length === 2) {
        const list = o.$token === 'mfaToken' ? mfaTokens : refreshTokens;
        return list[o.index % list.length];
      }
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o)) Object.defineProperty(out, k, { value: resolve(o[k]), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return v;
  }

  // ---- the arbitrary of one operation ------------------------------------------------------

  function requestArb(path: string, method: string, op: Operation): fc.Arbitrary<FuzzRequest> {
    const params = op.parameters ?? [];
    // Every {name} of the path, declared or not (people/{id}/access-log declares none).
    const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((x) => x[1]);
    const pathModel: Record<string, fc.Arbitrary<IdChoice>> = {};
    for (const name of pathNames) pathModel[name] = name === 'code' ? fc.constantFrom<IdChoice>({ kind: 'literal', value: 'marak' }, { kind: 'literal', value: 'x'.repeat(300) }, { kind: 'literal', value: '%2e%2e', raw: true }) : idChoice(poolForName(name, path) ?? 'any');
    const queryParams = params.filter((p) => p.in === 'query');
    const declaredQuery = queryParams.length ? queryParams : [{ name: 'limit', in: 'query' as const }];
    const queryValue = (p: (typeof declaredQuery)[number]) =>
      fc.oneof(
        { weight: 3, arbitrary: validish(doc, 'schema' in p ? p.schema : undefined, p.name, path) },
        { weight: 2, arbitrary: shortString },
        { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 0, 201, 1e21, '1.5', 'true', '', 'x'.repeat(20_000)) },
      );
    const queryEntry = fc.oneof(
      {
        weight: 6,
        arbitrary: fc
          .constantFrom(...declaredQuery)
          .chain((p) => fc.tuple(fc.constant(p.name), queryValue(p).map((v) => (typeof v === 'string' && v.length > 3000 ? v.slice(0, 3000) : v)))),
      },
      { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.constantFrom('__proto__', 'limit[]', 'limit[a]', 'status[0]')), shortString) },
    );
    const media = op.requestBody?.content?.['application/json']?.schema;
    const body = media ? validish(doc, media, '', path) : fc.option(fc.dictionary(fc.string({ maxLength: 8 }), anyString, { maxKeys: 3 }), { nil: undefined });
    const mode = media ? bodyMode : fc.oneof({ weight: 6, arbitrary: fc.constant<BodyMode>('none') }, { weight: 1, arbitrary: bodyMode });
    const dirty = fc.record({
      // Mostly callers with an account (anonymous and forged tokens only meet the guard).
      caller: fc.oneof(...CALLERS.map((c) => ({ weight: c === 'anonymous' || c === 'garbage-token' ? 1 : 3, arbitrary: fc.constant(c) }))),
      path: fc.record(pathModel),
      query: fc.array(queryEntry, { maxLength: 4 }),
      headers: headersArb(op, method),
      mode,
      body,
      mutations: fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) }),
    });
    // A third of the runs well-formed (no mutations, JSON, no junk headers), so that requests get past validation into the domain rules and create things.
    const clean = fc.record({
      caller: fc.oneof({ weight: 3, arbitrary: fc.constant(likelyCaller(method, path)) }, { weight: 1, arbitrary: fc.constantFrom<CallerName>('admin', 'coordinator', 'chair', 'rep', 'referrer', 'analyst') }),
      path: fc.record(Object.fromEntries(pathNames.map((n) => [n, n === 'code' ? fc.constant<IdChoice>({ kind: 'literal', value: 'marak' }) : idChoice(poolForName(n, path) ?? 'any').filter((c) => c.kind === 'pool')]))),
      query: fc.tuple(...queryParams.map((p) => fc.option(validish(doc, p.schema, p.name, path).map((v): [string, unknown] => [p.name, v]), { nil: undefined }))).map((entries) => entries.filter((e) => e !== undefined)),
      headers: fc.record({ 'idempotency-key': fc.stringMatching(/^[a-z0-9]{16}$/) }, { requiredKeys: [] }).map((h) => (method === 'post' ? h : {}) as HeaderSet),
      mode: fc.constant<BodyMode>(media ? 'json' : 'none'),
      body: media ? body : fc.constant(undefined),
      mutations: fc.constant<Mutation[]>([]),
    });
    return fc.oneof({ weight: 1, arbitrary: clean }, { weight: 2, arbitrary: dirty });
  }

  // ---- sending and checking ----------------------------------------------------------------

  const latin1 = (s: string) => Buffer.from(s.replace(/[\r\n\0]/g, ' '), 'utf8').toString('latin1');

  function build(path: string, method: string, r: FuzzRequest): { sent: Sent; taints: string[]; personal: string[] } {
    const taints: string[] = [];
    const personal: string[] = [];
    const url = path.replace(/\{(\w+)\}/g, (_all, name: string) => {
      const c = r.path[name];
      if (c.kind === 'pool') return fromPool(c.ref.$pool, c.ref.index);
      taints.push(c.value);
      return c.raw ? c.value : encodeURIComponent(wellFormed(c.value));
    });
    const qs = r.query
      .map(([k, v]) => {
        const value = resolve(v);
        const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
        taints.push(text);
        return `${encodeURIComponent(wellFormed(k))}=${encodeURIComponent(wellFormed(text))}`;
      })
      .join('&');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) {
      headers[k] = latin1(v);
      if (k !== 'x-request-id') taints.push(v);
    }
    const token = r.caller === 'anonymous' ? undefined : r.caller === 'garbage-token' ? 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' : callers[r.caller]!.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const value = resolve(mutate(r.body, r.mutations));
    collectStrings(value, '', (s, field) => {
      taints.push(s);
      if (PERSONAL_FIELDS.has(field)) personal.push(s);
    });
    const json = value === undefined ? '' : toJson(value);
    const form = () =>
      new URLSearchParams(Object.entries(typeof value === 'object' && value ? value : { v: value }).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')])).toString();
    // Each way of sending the body: its Content-Type and its text.
    const modes: Record<BodyMode, [string, string] | undefined> = {
      json: value === undefined ? undefined : ['application/json', json],
      none: undefined,
      'text-plain': ['text/plain', json],
      form: ['application/x-www-form-urlencoded', form()],
      'raw-broken-json': ['application/json', `${json.slice(0, Math.max(1, json.length - 2))},{`],
      'json-wrong-charset': ['application/json; charset=utf-16', json],
      'json-array': ['application/json', `[${json || 'null'}]`],
      'json-scalar': ['application/json', JSON.stringify(json.slice(0, 40))],
    };
    const chosen = modes[r.mode];
    if (chosen) headers['content-type'] = chosen[0];
    const body = chosen?.[1];
    return { sent: { method, url: qs ? `${url}?${qs}` : url, headers, body }, taints: significant(taints), personal: significant(personal) };
  }

  function significant(strings: string[]): string[] {
    return [...new Set(strings)].filter((s) => s.length >= 8 && !UUID.test(s) && !benign.has(s) && /[^\s]/.test(s) && new Set(s).size > 2);
  }

  async function send(s: Sent): Promise<{ status: number; headers: Record<string, string>; raw: Buffer }> {
    let req = request(t.app.getHttpServer())[s.method as 'get'](s.url);
    for (const [k, v] of Object.entries(s.headers)) req = req.set(k, v);
    req = req
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .timeout(20_000);
    const res = s.body !== undefined ? await req.send(s.body) : await req;
    return { status: res.status, headers: res.headers as Record<string, string>, raw: res.body as Buffer };
  }

  function describeSent(s: Sent, status: number, raw: Buffer): string {
    const h = Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k, v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v]));
    const b = s.body && s.body.length > 400 ? `${s.body.slice(0, 400)}…(${s.body.length})` : s.body;
    return `${s.method.toUpperCase()} ${s.url.length > 300 ? `${s.url.slice(0, 300)}…` : s.url}\nheaders: ${JSON.stringify(h)}\nbody: ${b}\n→ ${status} ${raw.toString('utf8').slice(0, 600)}`;
  }

  async function check(path: string, method: string, op: Operation, r: FuzzRequest): Promise<void> {
    const key = `${method.toUpperCase()} ${path}`;
    const caller = r.caller === 'anonymous' || r.caller === 'garbage-token' ? undefined : callers[r.caller]!;
    if (caller && !caller.token) {
      await timed('login', () => login(caller).catch(async () => (await restoreCallers(), login(caller))));
    }
    const { sent, taints, personal } = build(path, method, r);
    if (!fp) {
      // Background work (mail, timers) started by earlier accepted requests ends first.
      await timed('quiesce', () => quiesce(db, t.clock));
      fp = await timed('fingerprint', fingerprint);
    }
    const before = fp;
    const res = await timed('send', () => send(sent));
    requests++;
    const perOp = stats.get(key) ?? new Map<number, number>();
    perOp.set(res.status, (perOp.get(res.status) ?? 0) + 1);
    stats.set(key, perOp);
    const fail = (what: string) => {
      throw new Error(`${what}\n${describeSent(sent, res.status, res.raw)}`);
    };

    if (res.status >= 500 && !(res.status === 503 && op.responses?.['503'])) fail(`${res.status}: a server error`);
    if (res.status >= 400) {
      const type = String(res.headers['content-type'] ?? '');
      if (!type.startsWith('application/problem+json')) fail(`${res.status} is not application/problem+json (${type || 'no content type'})`);
      let problem: Record<string, unknown>;
      try {
        problem = JSON.parse(res.raw.toString('utf8'));
      } catch {
        return fail(`${res.status}: the problem is not JSON`);
      }
      if (typeof problem.type !== 'string' || !problem.type.startsWith('https://') || typeof problem.title !== 'string' || !problem.title || problem.status !== res.status) {
        fail(`${res.status}: not a problem (type, title, status)`);
      }
      if (problem.detail !== undefined && typeof problem.detail !== 'string') fail('detail is not a string');
      const slug = String(problem.type).split('/').pop()!;
      const perSlug = slugs.get(key) ?? new Map<string, number>();
      perSlug.set(slug, (perSlug.get(slug) ?? 0) + 1);
      slugs.set(key, perSlug);
      // Leaks: the seeded people, people the fuzzer stored, and what this request sent.
      // A sane X-Request-Id is the request's id by design (header and problem instance): not an echo.
      const requestId = sent.headers['x-request-id'] !== undefined && res.headers['x-request-id'] === sent.headers['x-request-id'] ? sent.headers['x-request-id'] : undefined;
      const withoutId = (x: string) => (requestId ? x.split(`urn:request:${requestId}`).join('urn:request:') : x);
      const text = `${withoutId(res.raw.toString('utf8'))}\n${withoutId(JSON.stringify(stringValues(problem)))}\n${Object.entries(res.headers)
        .filter(([k]) => !(k === 'x-request-id' && requestId))
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n')}`;
      for (const p of [...PII, ...stored]) if (text.includes(p)) fail(`an error carries personal data (${JSON.stringify(p.slice(0, 40))})`);
      for (const s of taints) if (text.includes(s) || (s.length > 24 && text.includes(s.slice(0, 16)))) fail(`an error echoes a value the request sent (${JSON.stringify(s.slice(0, 60))})`);
      // Nothing written on a refusal, but for the listed exceptions.
      const after = await timed('fingerprint', fingerprint);
      const changed = changedTables(before, after);
      const allowed = REFUSAL_WRITES[`${key} ${slug}`]?.tables ?? [];
      const unexpected = changed.filter((x) => !allowed.includes(x));
      if (unexpected.length) {
        fp = undefined;
        const seq = before.get('audit_log')!.split(':')[1];
        const audited = unexpected.includes('audit_log')
          ? await db.query(`SELECT action, object_type, details, request_id FROM audit_log WHERE seq > $1 ORDER BY seq`, [seq === '-' ? 0 : seq])
          : [];
        fail(`a refused request changed the database: ${unexpected.join(', ')}${audited.length ? ` (audited: ${JSON.stringify(audited)})` : ''}`);
      }
      if (changed.length) allowedWrites.set(`${key} ${changed.join('+')}`, (allowedWrites.get(`${key} ${changed.join('+')}`) ?? 0) + 1);
      fp = after;
      if (res.status === 401 && caller && r.caller !== 'garbage-token') caller.token = undefined; // logged out (or expired): log in again next time
    } else {
      fp = undefined;
      for (const s of personal) if (s.length < 300) stored.add(s);
      if (/^\/api\/v1\/(users|auth|me|agencies|groups\/\{id\}\/agencies)/.test(path)) await timed('login', restoreCallers);
      if (method !== 'get') await timed('pools', refreshPools);
    }
  }

  it('answers every operation, as every caller, with problems only, no leaks and no writes on refusal', async () => {
    const ops: Array<[string, string, Operation]> = [];
    for (const [path, byMethod] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(byMethod)) ops.push([path, method, op]);
    // The test clock only moves forward and moving it expires tokens and fires timers: last.
    ops.sort(([a], [b]) => Number(a.includes('/test/clock')) - Number(b.includes('/test/clock')));
    expect(ops.length).toBeGreaterThanOrEqual(70);
    const started = Date.now();
    const failures: string[] = [];
    for (const [path, method, op] of ops) {
      const key = `${method.toUpperCase()} ${path}`;
      if (ONLY && !key.includes(ONLY)) continue;
      const seed = (SEED ^ parseInt(createHash('sha256').update(key).digest('hex').slice(0, 8), 16)) | 0;
      const opStart = Date.now();
      const details = await fc.check(
        fc.asyncProperty(requestArb(path, method, op), (r) => check(path, method, op, r)),
        { numRuns: RUNS, seed, endOnFailure: !SHRINK },
      );
      if (details.failed) {
        fp = undefined;
        await restoreCallers();
        const e = details.errorInstance;
        // An error of the harness itself (not a finding) shows where it came from.
        const error = e instanceof Error ? (/\n(GET|POST|PUT|PATCH|DELETE) /.test(e.message) ? e.message : `${e.message}\n${e.stack?.split('\n').slice(1, 6).join('\n')}`) : String(e);
        failures.push(`${key}: ${error.slice(0, 2000)}\n(fast-check seed ${details.seed}, path "${details.counterexamplePath}"; replay: FUZZ_SEED=${SEED} FUZZ_ONLY='${key}' npm run test:fuzz)`);
      }
      if (VERBOSE) console.log(`${key}: ${Date.now() - opStart} ms ${JSON.stringify(Object.fromEntries(stats.get(key) ?? []))} ${JSON.stringify(Object.fromEntries(slugs.get(key) ?? []))}`);
    }
    const statuses = new Map<number, number>();
    for (const perOp of stats.values()) for (const [s, n] of perOp) statuses.set(s, (statuses.get(s) ?? 0) + n);
    console.log(
      `fuzz: ${requests} requests over ${stats.size} operations in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}, ${RUNS} runs each); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; ms spent ${JSON.stringify(Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, Math.round(v)])))}`,
    );
    if (allowedWrites.size) console.log(`fuzz: allowed writes on refusal: ${JSON.stringify(Object.fromEntries(allowedWrites))}`);
    if (failures.length) throw new Error(`${failures.length} operation(s) failed:\n\n${failures.join('\n\n')}`);
    // Not all refusals: the valid-ish values must get through sometimes.
    if (!ONLY) expect([...statuses.keys()].some((s) => s < 300)).toBe(true);
  }, Math.max(10 * 60_000, RUNS * 70 * 1000));
});

function collectStrings(v: unknown, field: string, out: (s: string, field: string) => void): void {
  if (typeof v === 'string') out(v, field);
  else if (Array.isArray(v)) v.forEach((x) => collectStrings(x, field, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) collectStrings(x, k, out);
}

function stringValues(v: unknown): string[] {
  const out: string[] = [];
  collectStrings(v, '', (s) => out.push(s));
  return out;
}

/** Enum values and examples of the document: values the API itself names may appear in its errors. */
function benignStrings(doc: OpenApi): Set<string> {
  // Property names too: validation errors name the fields.
  const out = new Set<string>(['application/json', 'application/problem+json', 'marak']);
  for (const schema of Object.values(doc.components.schemas)) for (const name of Object.keys(schema.properties ?? {})) out.add(name);
  for (const byMethod of Object.values(doc.paths)) for (const op of Object.values(byMethod)) for (const p of op.parameters ?? []) out.add(p.name);
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (Array.isArray(o.enum)) for (const e of o.enum) if (typeof e === 'string') out.add(e);
      if (typeof o.example === 'string') out.add(o.example);
      Object.values(o).forEach(walk);
    }
  };
  walk(doc);
  return out;
}
