/**
 * The inbox's floor: `GET /api/v1/actions` on a bare `node:http` server, a process started by
 * `startApp({ entry })` in place of the app (bench/inbox.bench.ts). It does the request's work
 * with the app's own parts — the access token verified (TokenService), the caller re-read
 * (PRINCIPAL_SQL), the page's statement and its decryption (inboxStatement, inboxPage), the audit
 * row claimed and hashed into its chain (AUDIT_CLAIM_SQL, auditInsert) and sent with the COMMIT,
 * on the app's connections (PreparingClient: prepared statements, the start with the first
 * statement) — and nothing else: no Nest, express, TypeORM, validation pipe, guard, request
 * context, metrics or request log. What the app takes beyond this floor is what its framework
 * and plumbing cost; what the floor takes is what the work costs on this machine.
 *
 * Only what the benchmark sends is understood: a representative's first page, `?cursor=` and
 * `?overdue=true`. Anything else answers 404 or 401; a failure answers 500 and is counted.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { toHelsinkiDate } from '../../libs/business-calendar/index.js';
import { parseBlindIndexKey } from '../../libs/field-crypto/index.js';
import { loadConfig } from '../../src/config/app-config.js';
import { inboxPage, inboxStatement, type ActionRow } from '../../src/modules/actions/action-store.js';
import { AUDIT_CHAINS } from '../../src/modules/audit/audit-chain.js';
import { normaliseAuditEntry } from '../../src/modules/audit/audit-entry.js';
import { AUDIT_CHAINS_LOCK_BASE, AUDIT_CLAIM_SQL, auditInsert, type AuditChainHead } from '../../src/modules/audit/audit.service.js';
import { TokenService } from '../../src/modules/identity/token.service.js';
import { PRINCIPAL_SQL, principalOf } from '../../src/modules/identity/users.service.js';
import { SystemClock } from '../../src/platform/clock/clock.js';
import { FieldCryptoService } from '../../src/platform/crypto/field-crypto.service.js';
import { dataSourceOptions, type PoolOptions } from '../../src/platform/database/data-source-options.js';
import { applyHeapGrowth } from '../../src/platform/runtime/heap-growth.js';

const config = loadConfig(process.env);
// The app's GC policy too (src/launcher.ts), so that the two differ only in the framework.
applyHeapGrowth(config.heapGrowingPercent);
const tokens = new TokenService(config, new SystemClock());
const crypto = new FieldCryptoService(config);
const auditKey = parseBlindIndexKey(config.auditKey);
// The app's own pool options (data-source-options.ts): its size, its client class, connections kept.
const { extra: poolOptions } = dataSourceOptions(config.databaseUrl!, { extra: { application_name: 'marak-floor' } }) as { extra: PoolOptions };
const pool = new pg.Pool({ connectionString: config.databaseUrl, ...poolOptions });
pool.on('error', () => undefined); // an idle connection that breaks is dropped by the pool; the next request opens another

const answer = (res: http.ServerResponse, status: number, body?: unknown) => {
  const text = body === undefined ? undefined : JSON.stringify(body); // before the head: a failure here still answers 500
  res.writeHead(status, { 'content-type': 'application/json' }).end(text);
};

async function inbox(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  const claims = token ? tokens.verifyAccess(token) : undefined;
  if (!claims) return answer(res, 401);
  const [row] = (await pool.query(PRINCIPAL_SQL, [claims.sub, claims.sid])).rows;
  const user = row ? principalOf(row, claims.sid) : undefined;
  if (!user || !user.active || user.sessionEnded) return answer(res, 401);
  const q = { cursor: url.searchParams.get('cursor') ?? undefined, overdue: url.searchParams.get('overdue') === 'true' ? true : undefined };
  const today = toHelsinkiDate(new Date());
  const { statement, limit } = inboxStatement(user, q, today);
  if (!statement) return answer(res, 200, { items: [], nextCursor: null });
  const client = await pool.connect();
  let page;
  try {
    await client.query('START TRANSACTION');
    const rows = (await client.query(statement.text, statement.values)).rows as ActionRow[];
    const built = inboxPage(rows, limit, q, crypto, today);
    if (built.audit) {
      const content = normaliseAuditEntry(built.audit, { requestId: randomUUID(), user });
      const [head] = (await client.query(AUDIT_CLAIM_SQL, [AUDIT_CHAINS, AUDIT_CHAINS_LOCK_BASE])).rows as AuditChainHead[];
      const insert = auditInsert(auditKey, content, head!, new Date());
      await client.query(insert.text, insert.values);
    }
    await client.query('COMMIT');
    page = built.page;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  answer(res, 200, page);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  if (url.pathname === '/api/v1/health') return answer(res, 200, { status: 'ok' });
  if (req.method !== 'GET' || url.pathname !== '/api/v1/actions') return answer(res, 404);
  inbox(req, res, url).catch((err: unknown) => {
    process.stderr.write(`inbox floor: ${err instanceof Error ? err.name : 'error'} ${(err as { code?: string } | null)?.code ?? ''}\n`); // no message: it may quote values
    if (!res.headersSent) answer(res, 500);
    else res.destroy(); // counted as an error by the load generator, never left hanging
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});
