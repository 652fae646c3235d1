import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { makeTemporaryHetu } from '../libs/hetu/index.js';
import { defaultRiskForms } from '../libs/risk-forms/index.js';
import { loadConfig } from '../src/config/app-config.js';
import { FieldCryptoService } from '../src/platform/crypto/field-crypto.service.js';
import { aGroup, anAgency, aUser, Api, BENCH_ADMIN, apiProcesses, startApp, warmUpConnections, type AppProcess } from './lib/app-process.js';
import { freshDatabase, withClient } from './lib/databases.js';
import { gcPauses, serverSide, withAppMetrics } from './lib/app-metrics.js';
import { measureCpu, perRequest, type CpuCost } from './lib/cpu.js';
import { load, met, ms, type LoadResult } from './lib/measure.js';

/**
 * `npm run bench -- case-read`: `GET /api/v1/cases/:id` as the group's coordinator (the case
 * with its victim, perpetrator and two children decrypted, its referral, its placement and four
 * actions of four agencies), which writes its audit row (`case.read`) in the read's transaction —
 * against the same read without that audit write (bench/entries/app-without-case-read-audit.ts:
 * the same app with that one audit call replaced by nothing). Two figures, each against its
 * baseline: at a steady 100 requests/s (target: p99 < 25 ms with the audit write) and as fast
 * as 10 connections go (reported: the audit write's cost at saturation). 40 cases, read at random.
 */
const CASES = 40;
const CONNECTIONS = 10;
const STEADY_RATE = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const FORM = defaultRiskForms().latest('marak')!;
const ANSWERS = Object.fromEntries(FORM.questions.map((q, i) => [q.id, i < 15 ? 'yes' : 'no']));
const DAY = 86_400_000;

const databaseUrl = await freshDatabase('marak_bench_cases');
let app: AppProcess | undefined = await startApp({ databaseUrl });
let code = 0;
try {
  const admin = await new Api(app.url).login(BENCH_ADMIN.email, BENCH_ADMIN.password);
  const support = await anAgency(admin, 'victim_support');
  const police = await anAgency(admin, 'police');
  const social = await anAgency(admin, 'social_services');
  const health = await anAgency(admin, 'health');
  const agencies = [police, social, health, support];
  const group = await aGroup(admin, agencies.map((a) => a.id));
  const coordinator = await aUser(admin, support.id, [{ role: 'coordinator', groupId: group.id }]);
  await aUser(admin, support.id, [{ role: 'chair', groupId: group.id }]);
  const referrer = await aUser(admin, police.id, [{ role: 'referrer', groupId: group.id }]);
  for (let week = 2; week <= 4; week++) {
    const startsAt = new Date(Math.ceil(Date.now() / (7 * DAY)) * 7 * DAY + week * 7 * DAY + 7 * 3_600_000);
    await coordinator.api.call('POST', `/groups/${group.id}/conferences`, { startsAt: startsAt.toISOString() });
  }

  // Cases the way they come to be: a referral made, submitted and accepted through the API.
  const caseIds: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const birth = `19${70 + (i % 25)}-0${1 + (i % 9)}-1${i % 9}`;
    const draft = await referrer.api.call('POST', '/referrals', {
      groupId: group.id,
      victim: {
        firstName: 'Testi', lastName: `Uhri${i}`, birthDate: birth, identityCode: makeTemporaryHetu(birth, i % 100), gender: 'female', language: 'fi',
        address: 'Keksittykatu 1 A 2, 00100 Helsinki', phone: '+358 40 000 0000', safeContactNote: 'Soita vain arkisin klo 9–15, ei viestejä.',
        specialCircumstances: ['pregnancy'],
      },
      perpetrators: [{ firstName: 'Keksitty', lastName: `Tekijä${i}`, birthDate: '1980-02-02', gender: 'male', address: 'Toinen katu 3, 00200 Helsinki' }],
      children: [
        { firstName: 'Lapsi', lastName: `Uhri${i}`, birthDate: '2015-06-01', livesWithVictim: true },
        { firstName: 'Toinen', lastName: `Uhri${i}`, birthDate: '2019-09-09', livesWithVictim: true },
      ],
      relationship: 'partner',
      riskAssessment: { formCode: 'marak', answers: ANSWERS },
      grounds: { professionalJudgement: 'Uhkailu on lisääntynyt viime viikkoina; tekijä on kuristanut.', incidents12Months: 4 },
      consent: { status: 'given', givenAt: '2026-11-20', method: 'written' },
      childWelfareNotification: { status: 'made', madeAt: '2026-11-19' },
      summary: 'Keksitty tapaus testiä varten: uhkailua, kuristamista ja omaisuuden rikkomista, lapset kotona.',
      immediateSafetyMeasures: 'Turvakotiin ohjattu, lähestymiskieltoa haettu.',
    });
    await referrer.api.call('POST', `/referrals/${draft.id}/submit`, {});
    const accepted = await coordinator.api.call('POST', `/referrals/${draft.id}/accept`, {});
    await coordinator.api.call('PUT', `/cases/${accepted.caseId}/advocate`, { agencyId: support.id });
    caseIds.push(accepted.caseId);
  }
  // Four actions per case, one per agency, as a conference outcome writes them (the row and its
  // `assigned` event, the description encrypted with the app's key: the development key here).
  const crypto = new FieldCryptoService(loadConfig({ NODE_ENV: 'development' }));
  await withClient(databaseUrl, async (c) => {
    const [{ actor }] = (await c.query(`SELECT id AS actor FROM users WHERE id = $1`, [coordinator.id])).rows;
    for (const caseId of caseIds) {
      for (const [k, agency] of agencies.entries()) {
        const id = randomUUID();
        const due = new Date(Date.now() + (k * 7 - 3) * DAY).toISOString().slice(0, 10);
        const description = `Toimenpide ${k + 1}: ${['turvallisuussuunnitelma ja hätänumerot', 'lastensuojelun arvio ja tapaaminen', 'terveydenhuollon vastaanotto ja kirjaus', 'tukihenkilö ja yhteydenpito'][k]}.`;
        await c.query(
          `INSERT INTO actions (id, case_id, group_id, agency_id, description_enc, due_date, status, assigned_at, created_by, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, 'assigned', now(), $7, now(), now())`,
          [id, caseId, group.id, agency.id, crypto.encrypt(description, { table: 'actions', column: 'description', rowId: id }), due, actor],
        );
        await c.query(
          `INSERT INTO action_events (id, action_id, at, actor_id, event, to_status, details) VALUES ($1, $2, now(), $3, 'assigned', 'assigned', $4)`,
          [randomUUID(), id, actor, JSON.stringify({ agencyId: agency.id, dueDate: due })],
        );
      }
    }
    await c.query('VACUUM (ANALYZE)'); // now, not by autovacuum during the first measurement
  });
  await app.stop();
  app = undefined;

  const measure = async (entry: string | undefined) => {
    app = await startApp({ databaseUrl, entry });
    const requests = [{ method: 'GET' as const, setupRequest: (req: any) => ({ ...req, path: `/api/v1/cases/${caseIds[Math.floor(Math.random() * caseIds.length)]}` }) }];
    // The coordinator's access token from the setup stays valid (same secret, same session; 15 minutes).
    const token = coordinator.api.token!;
    const run = (rate?: number, onCounting?: () => void) => load({ url: app!.urls, token, connections: CONNECTIONS, seconds: SECONDS, rate, requests, onCounting });
    await load({ url: app!.urls, token, connections: warmUpConnections(), seconds: 5, requests }); // warm-up: every pool connection opened
    const {
      result: { result: steady, app: steadyApp, seconds: steadySeconds },
      cpu: steadyCpu,
    } = await measureCpu(app!.pids, databaseUrl, () => withAppMetrics(app!.urls, (onCounting) => run(STEADY_RATE, onCounting)));
    const inApp = `${serverSide(steadyApp, 'GET', ['/api/v1/cases/:id'], 25)}; ${gcPauses(steadyApp, app!.pids.length, steadySeconds)}`;
    const max = await run();
    // The floor of this harness and process: the cheapest authenticated read (no case, no audit) at the same rate.
    const { result: floor, cpu: floorCpu } = await measureCpu(app!.pids, databaseUrl, () =>
      load({ url: app!.urls, token, connections: CONNECTIONS, seconds: SECONDS, rate: STEADY_RATE, requests: [{ method: 'GET', path: '/api/v1/me' }] }),
    );
    await app.stop();
    app = undefined;
    return { steady, steadyCpu, inApp, max, floor, floorCpu };
  };
  const without = await measure(path.resolve('dist/bench/entries/app-without-case-read-audit.js'));
  const withAudit = await measure(undefined);

  const line = (what: string, a: LoadResult, b: LoadResult, target?: boolean, cpu?: [CpuCost | undefined, CpuCost | undefined], inApp?: [string, string]) =>
    `case read GET /cases/:id ${what}: with its audit write ${a.rps.toFixed(1)} requests/s, p50 ${ms(a.p50)}, p99 ${ms(a.p99)}, ${a.failed} failed; ` +
    `without the audit write ${b.rps.toFixed(1)} requests/s, p50 ${ms(b.p50)}, p99 ${ms(b.p99)}; p99 ratio ${(a.p99 / b.p99).toFixed(2)}x, throughput ratio ${(a.rps / b.rps).toFixed(2)}` +
    (cpu ? `; with the audit write ${perRequest(cpu[0], a.responses)}; without it ${perRequest(cpu[1], b.responses)}` : '') +
    (inApp ? `; with the audit write ${inApp[0]}; without it ${inApp[1]}` : '') +
    (target === undefined ? '\n' : `; target p99 < 25 ms: ${met(target)}\n`);
  const steadyOk = withAudit.steady.p99 < 25 && withAudit.steady.failed === 0;
  process.stdout.write(`# ${CASES} cases (victim, perpetrator, 2 children, referral, placement, 4 actions), read at random by the coordinator; ${apiProcesses()} API processes (BENCH_API_PROCESSES); ${CONNECTIONS} connections, ${SECONDS} s per run\n`);
  process.stdout.write(line(`at a steady ${STEADY_RATE} requests/s`, withAudit.steady, without.steady, steadyOk, [withAudit.steadyCpu, without.steadyCpu], [withAudit.inApp, without.inApp]));
  process.stdout.write(line(`at max throughput (${CONNECTIONS} connections)`, withAudit.max, without.max));
  process.stdout.write(
    `floor: GET /me (token check and the user, no case, no audit) at a steady ${STEADY_RATE} requests/s in the same app: p50 ${ms(withAudit.floor.p50)}, p99 ${ms(withAudit.floor.p99)}, ${perRequest(withAudit.floorCpu, withAudit.floor.responses)}; case read with audit p99 / floor p99 ${(withAudit.steady.p99 / withAudit.floor.p99).toFixed(1)}x\n`,
  );
  if (!steadyOk || withAudit.max.failed > 0) code = 1;
} finally {
  await (app as AppProcess | undefined)?.stop();
}
process.exit(code);

