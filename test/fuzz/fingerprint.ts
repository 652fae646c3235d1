import type { DataSource } from 'typeorm';
import type { TestClock } from '../../src/platform/clock/clock.js';

/**
 * A fingerprint of the whole database: per table, the row count and an order-independent hash
 * of every row's text (audit_log is append-only, enforced by a trigger: its count and last
 * sequence number stand for it). Two equal fingerprints mean no row was inserted, updated or
 * deleted in between; sequences are left out (nextval is not transactional).
 */
export type Fingerprint = Map<string, string>;

export async function fingerprinter(db: DataSource): Promise<() => Promise<Fingerprint>> {
  const tables: Array<{ name: string }> = await db.query(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const parts = tables.map(({ name }) =>
    name === 'audit_log'
      ? `SELECT 'audit_log' AS t, count(*)::text || ':' || coalesce(max(seq)::text, '-') AS fp FROM audit_log`
      : `SELECT '${name}' AS t, count(*)::text || ':' || md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) AS fp FROM "${name}" x`,
  );
  const sql = parts.join('\nUNION ALL\n');
  return async () => new Map((await db.query(sql)).map((r: { t: string; fp: string }) => [r.t, r.fp]));
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}

/**
 * Waits until the background work the previous requests started is done: no timer due by the
 * test clock still pending, no mail due or being sent (a send claims its row, pushing the next
 * attempt back, before it talks to the mail server) still pending. Mail waiting for a retry
 * later is left: it waits for the test clock, which the fuzzer moves only at the very end.
 */
export async function quiesce(db: DataSource, clock: TestClock, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [{ busy }] = await db.query(
      `SELECT (SELECT count(*)::int FROM timers WHERE state = 'pending' AND fire_at <= $1 AND next_run_at <= $1)
            + (SELECT count(*)::int FROM notifications WHERE state = 'pending' AND (next_attempt_at <= $1 OR (attempts > 0 AND last_error IS NULL))) AS busy`,
      [clock.now()],
    );
    if (busy === 0) return;
    if (Date.now() > deadline) throw new Error(`background work did not settle: ${busy} due timers or mails still pending`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
