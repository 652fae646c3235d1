import pg from 'pg';
import { toHelsinkiDate } from '../libs/business-calendar/index.js';
import { loadConfig } from '../src/config/app-config.js';
import { listActionsQuery } from '../src/modules/actions/action-store.js';
import { OPEN_STATUSES } from '../src/modules/actions/dto/action.dto.js';
import { UsersService } from '../src/modules/identity/users.service.js';
import { FieldCryptoService } from '../src/platform/crypto/field-crypto.service.js';
import { Api, BENCH_PASSWORD, apiProcesses, startApp, warmUpConnections, type AppProcess } from './lib/app-process.js';
import { historyDatabase, withClient } from './lib/databases.js';
import { fullGcCounts, gcPauses, serverSide, withAppMetrics } from './lib/app-metrics.js';
import { measureCpu, perRequest } from './lib/cpu.js';
import { load, loop, met, ms } from './lib/measure.js';

/**
 * `npm run bench -- inbox`: an agency representative's inbox, `GET /api/v1/actions` (their
 * agency's actions in their group by due date: the query, decryption of 50 descriptions, and the
 * audit row of the page, in one transaction) with the history database's ~1.5 million actions
 * (bench/lib/databases.ts: seeded once). Three figures — the first page, a page 20 pages on
 * through the cursor, and `?overdue=true` — each at a steady 100 requests/s; target p99 < 20 ms.
 * Baseline: the bare SQL of the same page (the statement the endpoint runs, same parameters),
 * from 10 connections at the same rate: what the database alone costs, so the ratio is what
 * the application adds (HTTP, authentication, decryption, the audit write). A second baseline, the
 * floor: the same request's work with the app's own statements, decryption and audit row on a
 * bare node:http server (bench/lib/inbox-floor.ts), at the same rate, as many processes: what the
 * work costs on this machine without Nest, express, TypeORM, validation and logging. The figures
 * are of the steady state: after the warm-ups, both are loaded in turn until every API process has
 * had a full GC under load (a minute or two after it started).
 *
 * The representative (seeded agency 1, agency_rep of seeded group 1) is added to the database
 * when missing, and the descriptions of that agency's actions in that group are encrypted with
 * the app's (development) key, since the seed leaves a 1-byte placeholder that does not decrypt.
 */
const CONNECTIONS = 10;
const RATE = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const REP_EMAIL = 'bench-inbox-rep@agency.test';
/** The steady-state warm-up's cap (below). */
const STEADY_WARM_UP_MAX_MS = 240_000;

const databaseUrl = await historyDatabase();
const crypto = new FieldCryptoService(loadConfig({ NODE_ENV: 'development' }));
const setup = await withClient(databaseUrl, async (c) => {
  const [{ group_id: groupId, agency_id: agencyId }] = (await c.query(`SELECT md5('g1')::uuid AS group_id, md5('a1')::uuid AS agency_id`)).rows;
  let [rep] = (await c.query(`SELECT id FROM users WHERE email = $1`, [REP_EMAIL])).rows;
  if (!rep) {
    [rep] = (await c.query(`INSERT INTO users (email, name, agency_id, password_hash) VALUES ($1, 'Testi Edustaja', $2, $3) RETURNING id`, [REP_EMAIL, agencyId, await UsersService.hash(BENCH_PASSWORD)])).rows;
    await c.query(`INSERT INTO user_roles (user_id, role, group_id) VALUES ($1, 'agency_rep', $2)`, [rep.id, groupId]);
  }
  const placeholders = (await c.query(`SELECT id FROM actions WHERE agency_id = $1 AND group_id = $2 AND description_enc = '\\x00'::bytea`, [agencyId, groupId])).rows as { id: string }[];
  for (let i = 0; i < placeholders.length; i += 500) {
    const batch = placeholders.slice(i, i + 500);
    await c.query(`UPDATE actions a SET description_enc = v.enc FROM unnest($1::uuid[], $2::bytea[]) AS v(id, enc) WHERE a.id = v.id`, [
      batch.map((r) => r.id),
      batch.map((r, k) => crypto.encrypt(`Keksitty toimenpide ${i + k}: yhteydenotto ja turvallisuussuunnitelma.`, { table: 'actions', column: 'description', rowId: r.id })),
    ]);
  }
  const [counts] = (await c.query(
    `SELECT (SELECT count(*)::int FROM actions) AS total,
            count(*)::int AS mine,
            count(*) FILTER (WHERE status = ANY($3::text[]) AND due_date < $4::date)::int AS overdue
       FROM actions WHERE agency_id = $1 AND group_id = $2`,
    [agencyId, groupId, OPEN_STATUSES, toHelsinkiDate(new Date())],
  )).rows;
  return { groupId, agencyId, repId: rep.id as string, ...counts } as { groupId: string; agencyId: string; repId: string; total: number; mine: number; overdue: number };
});

let app: AppProcess | undefined = await startApp({ databaseUrl });
let floor: AppProcess | undefined;
let code = 0;
// Connections kept open (idleTimeoutMillis 0) and warmed below, as the app's are.
const pool = new pg.Pool({ connectionString: databaseUrl, max: CONNECTIONS, application_name: 'marak-bench-sql', idleTimeoutMillis: 0 });
try {
  // The same work on a bare node:http server, as many processes (bench/lib/inbox-floor.ts).
  floor = await startApp({ databaseUrl, entry: 'dist/bench/lib/inbox-floor.js' });
  const rep = await new Api(app.url).login(REP_EMAIL, BENCH_PASSWORD);
  let cursor: string | undefined;
  let after: { due: string; id: string } | undefined;
  for (let page = 1; page <= 20; page++) {
    const body = await rep.call('GET', `/actions${cursor ? `?cursor=${cursor}` : ''}`);
    cursor = body.nextCursor;
    const last = body.items.at(-1);
    after = { due: last.dueDate, id: last.id };
  }
  if (!cursor) throw new Error('the inbox has fewer than 21 pages');

  /** The endpoint's statement (listActionsQuery, as ActionsService.list builds it) with the representative's parameters. */
  const bareSql = (opts: { after?: { due: string; id: string }; overdue?: boolean }) => {
    const q = listActionsQuery({
      staffGroups: [], agencyId: setup.agencyId, repGroups: [setup.groupId], userId: setup.repId,
      filters: { overdue: opts.overdue }, today: toHelsinkiDate(new Date()), after: opts.after, limit: 51,
    })!;
    return () => pool.query(q.text, q.values);
  };
  const figures = [
    { what: 'first page', path: '/api/v1/actions', sql: bareSql({}) },
    { what: 'page 21 through the cursor', path: `/api/v1/actions?cursor=${cursor}`, sql: bareSql({ after }) },
    { what: 'overdue filter (?overdue=true), first page', path: '/api/v1/actions?overdue=true', sql: bareSql({ overdue: true }) },
  ];
  // Warm-up: 5 s at full speed of every figure's request, against the app or the floor.
  const everyFigure = figures.map((f) => ({ method: 'GET' as const, path: f.path }));
  const warmUp = (target: AppProcess) => load({ url: target.urls, token: rep.token, connections: warmUpConnections(), seconds: 5, requests: everyFigure });
  await warmUp(app);
  await warmUp(floor);
  await loop({ concurrency: CONNECTIONS, seconds: 3 }, async (w) => void (await figures[w % figures.length]!.sql())); // and of the bare SQL's pool
  // The steady state of a process that has run for hours, not its first minutes: more warm-up,
  // the app and the floor in turn, until every API process has had a full GC since this began.
  // A process's first full GC under load comes when its old generation first reaches the limit
  // V8 set at start-up, a minute or two in; the figures would otherwise meet that one-off at a
  // fixed point of the schedule (bench/RESULTS.md, 2026-12-05), and not the full GCs that follow
  // at the steady state's own pace.
  const steadyStart = performance.now();
  const gcBefore = await fullGcCounts(app.urls);
  let gcAfter = gcBefore;
  let reached = false;
  while (gcBefore && performance.now() - steadyStart <= STEADY_WARM_UP_MAX_MS) {
    gcAfter = await fullGcCounts(app.urls);
    reached = gcAfter !== undefined && gcAfter.every((n, i) => n > gcBefore[i]!);
    if (!gcAfter || reached) break;
    await warmUp(app);
    await warmUp(floor);
  }
  const why = reached ? 'every API process had a full GC' : gcBefore && gcAfter ? `stopped at the cap of ${STEADY_WARM_UP_MAX_MS / 1000} s` : 'the app\'s metrics could not be read';
  process.stdout.write(
    `# steady state: warmed up ${((performance.now() - steadyStart) / 1000).toFixed(0)} s more: ${why} (full GCs per process since its metrics began: ` +
      `${gcBefore?.join(', ') ?? 'n/a'} before, ${gcAfter?.join(', ') ?? 'n/a'} after)\n`,
  );
  const lines: string[] = [];
  let ok = true;
  for (const f of figures) {
    const {
      result: { result: http, app: inApp, seconds },
      cpu,
    } = await measureCpu(app!.pids, databaseUrl, () =>
      withAppMetrics(app!.urls, (onCounting) => load({ url: app!.urls, token: rep.token, connections: CONNECTIONS, seconds: SECONDS, rate: RATE, requests: [{ method: 'GET', path: f.path }], onCounting })),
    );
    const { result: bare, cpu: bareCpu } = await measureCpu(floor!.pids, databaseUrl, () =>
      load({ url: floor!.urls, token: rep.token, connections: CONNECTIONS, seconds: SECONDS, rate: RATE, requests: [{ method: 'GET', path: f.path }] }),
    );
    const { result: sql, cpu: sqlCpu } = await measureCpu('self', databaseUrl, () => loop({ concurrency: CONNECTIONS, seconds: SECONDS, rate: RATE }, async () => void (await f.sql())));
    const hit = http.p99 < 20 && http.failed === 0;
    ok &&= hit;
    lines.push(
      `inbox GET /actions ${f.what} at a steady ${RATE} requests/s: ${http.rps.toFixed(1)} requests/s, p50 ${ms(http.p50)}, p99 ${ms(http.p99)}, ${http.failed} failed; ` +
        `bare SQL of the page p50 ${ms(sql.p50)}, p99 ${ms(sql.p99)}; p99 ratio ${(http.p99 / sql.p99).toFixed(1)}x; ${perRequest(cpu, http.responses)}; bare SQL ${perRequest(sqlCpu, sql.count, 'page', 'client (this process)')}; ` +
        `${serverSide(inApp, 'GET', ['/api/v1/actions'], 20)}; ${gcPauses(inApp, app!.pids.length, seconds)}; ` +
        `the same work without the framework (bench/lib/inbox-floor.ts) ${bare.rps.toFixed(1)} requests/s, p50 ${ms(bare.p50)}, p99 ${ms(bare.p99)}, ${bare.failed} failed, ${perRequest(bareCpu, bare.responses, 'request', 'floor')}; ` +
        `app/floor p99 ${bare.failed === 0 ? `${(http.p99 / bare.p99).toFixed(1)}x` : 'not compared (the floor failed requests)'}; target p99 < 20 ms: ${met(hit)}\n`,
    );
  }
  process.stdout.write(`# ${setup.total} actions in the database; the representative's agency has ${setup.mine} in their group (${setup.overdue} overdue); 50 a page; ${apiProcesses()} API processes (BENCH_API_PROCESSES); ${CONNECTIONS} connections, ${SECONDS} s per run\n`);
  for (const l of lines) process.stdout.write(l);
  if (!ok) code = 1;
} finally {
  await pool.end();
  await app?.stop();
  await floor?.stop();
}
process.exit(code);
