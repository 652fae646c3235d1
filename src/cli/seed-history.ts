import 'reflect-metadata';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { AGENCY_KINDS } from '../modules/identity/dto/agency.dto.js';
import { runMigrations } from '../platform/database/migrate.js';

/**
 * `npm run seed:history -- --referrals 1000000 [--groups 50] [--years 10]`: fills the database
 * named by DATABASE_URL (migrated first) with invented history for benchmarks: groups, one
 * agency of every kind in each, referrals spread evenly over the past years with their victims
 * (and perpetrators and children for some), cases for accepted ones (30 % repeats), two actions
 * per case and a hearing. Everything in SQL (`INSERT … SELECT generate_series`).
 *
 * Never for a database with real data: it refuses unless the database has no referrals yet.
 * The seeded people carry no names or identity codes at all: every `*_enc` column that must not
 * be empty holds the 1-byte placeholder `\x00`, which is not a ciphertext (a read of a seeded
 * person fails to decrypt; key rotation reports them as unreadable). Statistics read none of it.
 */
const { values } = parseArgs({ options: { referrals: { type: 'string', default: '1000000' }, groups: { type: 'string', default: '50' }, years: { type: 'string', default: '10' } } });
const n = Number(values.referrals);
const groups = Number(values.groups);
const years = Number(values.years);
if (![n, groups, years].every((x) => Number.isInteger(x) && x > 0)) throw new Error('--referrals, --groups and --years take positive integers');
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL names the database to seed');

await runMigrations(url);
const db = new pg.Client({ connectionString: url });
await db.connect();
const step = async (what: string, sql: string, params: unknown[] = []) => {
  const started = performance.now();
  const res = await db.query(sql, params);
  process.stdout.write(`${what}: ${res.rowCount ?? 0} rows in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
};
try {
  const [{ any }] = (await db.query(`SELECT EXISTS (SELECT 1 FROM referrals) AS any`)).rows;
  if (any) throw new Error('the database already has referrals: seed:history only fills an empty one');
  await db.query(`SET synchronous_commit = off`);
  const kinds = [...AGENCY_KINDS];
  // Deterministic ids: md5(<kind letter> || number)::uuid, so every table can join without lookups.
  await step('groups', `INSERT INTO groups (id, name, area, settings) SELECT md5('g' || g)::uuid, 'Seed group ' || g, 'Seed area ' || g, '{}' FROM generate_series(1, $1) g`, [groups]);
  await step('agencies', `INSERT INTO agencies (id, name, kind, email) SELECT md5('a' || k)::uuid, 'Seed agency ' || k, ($1::text[])[k], 'seed-' || k || '@agency.test' FROM generate_series(1, 12) k`, [kinds]);
  await step('group agencies', `INSERT INTO group_agencies (group_id, agency_id) SELECT md5('g' || g)::uuid, md5('a' || k)::uuid FROM generate_series(1, $1) g, generate_series(1, 12) k`, [groups]);
  await step('users', `INSERT INTO users (id, email, name, agency_id, password_hash) SELECT md5('u' || k)::uuid, 'seed-' || k || '@agency.test', 'Seed worker ' || k, md5('a' || k)::uuid, 'x' FROM generate_series(1, 12) k`);
  // Referral i: group 1 + i % groups, agency 1 + (i * 7) % 12 (police most often), submitted evenly over the years.
  const base = `SELECT i, md5('g' || (1 + i % $2))::uuid AS group_id,
                       now() - make_interval(secs => (i::float8 / $1) * $3 * 365.25 * 86400) AS submitted_at
                  FROM generate_series(1, $1) i`;
  const p = [n, groups, years];
  await step('victims', `INSERT INTO people (id, group_id, role, first_name_enc, stat_gender, stat_age_band)
    SELECT md5('v' || i)::uuid, group_id, 'victim', '\\x00', (ARRAY['female','female','female','female','female','female','female','female','female','male','other_or_unknown'])[1 + i % 11],
           (ARRAY['16-17','18-24','25-34','25-34','35-44','35-44','45-54','55-64','65+','unknown'])[1 + i % 10]
      FROM (${base}) s`, p);
  await step('perpetrators', `INSERT INTO people (id, group_id, role, first_name_enc, stat_gender, stat_age_band)
    SELECT md5('p' || i)::uuid, group_id, 'perpetrator', '\\x00', 'male', 'unknown' FROM (${base}) s`, p);
  await step('children', `INSERT INTO people (id, group_id, role, first_name_enc, stat_gender, stat_age_band, lives_with_victim)
    SELECT md5('c' || i)::uuid, group_id, 'child', '\\x00', 'other_or_unknown', '0-15', i % 5 <> 0 FROM (${base}) s WHERE i % 5 < 2`, p);
  // Accepted: 3 of 4; declined 1 of 8; the rest pending or withdrawn.
  await step('cases', `INSERT INTO cases (id, reference, group_id, victim_id, status, is_repeat, opened_at, closed_at, close_reason, last_referral_at, last_hearing_at)
    SELECT md5('k' || i)::uuid, 'SEED-' || i, group_id, md5('v' || i)::uuid, CASE WHEN submitted_at < now() - interval '90 days' THEN 'closed' ELSE 'open' END,
           i % 10 < 3, submitted_at + interval '1 day', CASE WHEN submitted_at < now() - interval '90 days' THEN submitted_at + interval '60 days' END,
           CASE WHEN submitted_at < now() - interval '90 days' THEN 'actions_completed' END, submitted_at,
           CASE WHEN i % 20 <> 0 THEN submitted_at + make_interval(days => 7 + i % 21) END
      FROM (${base}) s WHERE i % 4 <> 0`, p);
  await step('referrals', `INSERT INTO referrals (id, group_id, author_id, author_agency_id, status, reference, victim_id, perpetrator_ids, child_ids, relationship,
                           risk_form_code, risk_form_version, answers_enc, score, unknown_count, answered_count, threshold, eligible, eligibility_grounds,
                           consent_status, summary_enc, case_id, repeat_of_case_id, submitted_at, triaged_at, created_at, updated_at)
    SELECT md5('r' || i)::uuid, group_id, md5('u' || (1 + (i * 7) % 12))::uuid, md5('a' || (1 + (i * 7) % 12))::uuid,
           CASE WHEN i % 4 <> 0 THEN 'accepted' WHEN i % 8 = 0 THEN 'declined' WHEN i % 16 = 4 THEN 'withdrawn' ELSE 'submitted' END,
           'SEED-R-' || i, md5('v' || i)::uuid, ARRAY[md5('p' || i)::uuid],
           CASE WHEN i % 5 < 2 THEN ARRAY[md5('c' || i)::uuid] ELSE '{}' END, 'partner', 'marak', 1, '\\x00', 10 + i % 15, 0, 24, 14, true,
           CASE WHEN i % 10 < 3 THEN ARRAY['score', 'repeat'] WHEN i % 7 = 0 THEN ARRAY['professional_judgement'] ELSE ARRAY['score'] END,
           'given', '\\x00', CASE WHEN i % 4 <> 0 THEN md5('k' || i)::uuid END, CASE WHEN i % 4 <> 0 AND i % 10 < 3 THEN md5('k' || i)::uuid END,
           submitted_at, submitted_at + interval '1 day', submitted_at, submitted_at
      FROM (${base}) s`, p);
  await step('actions', `INSERT INTO actions (id, case_id, group_id, agency_id, description_enc, due_date, status, assigned_at, completed_at, closed_at, created_at, updated_at)
    SELECT md5('x' || i || '-' || j)::uuid, md5('k' || i)::uuid, group_id, md5('a' || (1 + (i + j * 5) % 12))::uuid, '\\x00',
           (submitted_at + make_interval(days => 30))::date, CASE WHEN (i / 7 + j) % 6 = 0 THEN 'assigned' ELSE 'completed' END,
           submitted_at + make_interval(days => 14), CASE WHEN (i / 7 + j) % 6 <> 0 THEN submitted_at + make_interval(days => 20 + (i + j) % 15) END,
           CASE WHEN (i / 7 + j) % 6 <> 0 THEN submitted_at + make_interval(days => 20 + (i + j) % 15) END, submitted_at, submitted_at
      FROM (${base}) s, generate_series(1, 2) j WHERE i % 4 <> 0`, p);
  await step('analyze', `ANALYZE`);
} finally {
  await db.end();
}
