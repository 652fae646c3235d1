import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';

/**
 * How many different statement texts a process names (prepares) at most. The app's parameterised
 * statements are a few hundred texts (some built from the request's filters, each combination a
 * text); the ones past the cap run unnamed, as every statement did before, so a text built from
 * something unbounded can never fill a backend's memory with prepared statements.
 */
export const PREPARED_TEXTS_MAX = 1000;

/** pg's own conversion of a value for the wire (what its Bind sends), which @types/pg does not declare. */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

/** text → statement name, shared by every connection of the process (a connection prepares a name on first use). */
const names = new Map<string, string>();

/** The name a parameterised statement text is prepared under, or undefined past the cap. */
export function preparedName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < PREPARED_TEXTS_MAX) {
    name = `marak_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Errors after which a text is prepared under a new name on that connection: 0A000 (result
 * columns changed), 42883/42804 (operator or type mismatch: the parameter types were fixed when the
 * statement was first parsed), 26000 (the statement is gone from the server). A failure on those
 * codes that is the statement's own fault fails again under the new name, which costs a Parse and
 * nothing more: a statement that failed at Parse was never kept by the server.
 */
const STALE = new Set(['0A000', '42883', '42804', '26000']);

type Callback = (err: Error | null, result?: unknown) => void;

/** A call as pg takes it, `(config, values?, callback?)`: its parts, and `head`, the call without its callback. */
function callOf(args: unknown[]): { config: unknown; values: unknown; callback?: Callback; head: unknown[] } {
  const [config, second] = args;
  const early = typeof second === 'function';
  const callback = (early ? second : args[2]) as Callback | undefined;
  return { config, values: early ? undefined : second, callback: typeof callback === 'function' ? callback : undefined, head: args.slice(0, early ? 1 : 2) };
}

/** The result of a call in the form it was made: the promise itself, or handed to its callback. */
function answer(result: Promise<unknown>, callback?: Callback): unknown {
  if (!callback) return result;
  result.then((r) => callback(null, r), (err: Error) => callback(err));
  return undefined;
}

/**
 * A statement whose text starts with this comment, run inside a transaction, is held back and
 * sent in the same exchange as the transaction's `COMMIT` (PreparingClient.query): one round trip
 * fewer, and whatever it locks is held one round trip shorter. Its own call answers at once, with
 * no rows (its values are converted then, so a value that cannot be sent fails that call); its
 * error, if any, is the COMMIT's (the transaction then rolls back) or, when another statement
 * comes first, that statement's, and the COMMIT is then refused. Outside a transaction it runs at
 * once. Only for the last statement of a transaction whose result nobody reads: the audit row
 * (AuditService.record, always last).
 */
export const WITH_COMMIT = '/* sent with the commit */ ';

/**
 * A `pg` client that runs every parameterised statement as a named prepared statement (pool
 * option `Client`, see data-source-options.ts). PostgreSQL then parses and analyses each text
 * once per connection instead of on every call, and can keep a plan: a request runs 6–14
 * statements (measured: 0.5–0.7 ms less PostgreSQL CPU per referral request, about 14 %, and
 * about as much less in the app; bench/RESULTS.md). Plans follow PostgreSQL's default `plan_cache_mode` (auto: custom plans
 * first, a generic plan only when it is estimated no dearer). Statements without parameters
 * (transaction control) go as before.
 *
 * A prepared statement can go stale on its connection; the call fails once and the connection
 * then prepares the text under a new name (STALE below):
 * - a migration changed the columns a prepared `SELECT *` returns (0A000), or the type of a column
 *   a parameter is compared with (42883/42804: the parameter types were fixed at the first Parse);
 * - a value could not be sent (a client-side error in Bind, e.g. JSON.stringify of a BigInt):
 *   `pg` then closes the statement on the server but still counts it as parsed, so every later
 *   call would fail with 26000 (prepared statement does not exist), which is also renamed on.
 *
 * It also holds back a statement marked WITH_COMMIT (the audit row) and sends it with the
 * transaction's COMMIT, Parse/Bind/Execute of both up to one Sync (`StatementThenCommit`).
 *
 * It also holds back TypeORM's `START TRANSACTION` and sends it in the same write as the
 * transaction's first statement, as Npgsql does with its BEGIN: every `DataSource.transaction`
 * costs one round trip fewer (`query` below): one write and one read system call fewer per
 * transaction in the app, and one wake-up fewer of each side (the inbox: 8 writes per request
 * instead of 9, counted; what that saves in CPU was inside the benchmark host's drift:
 * bench/RESULTS.md, 2026-12-04 night session).
 */
export class PreparingClient extends pg.Client {
  /** Texts whose prepared statement went stale on this connection: their next name. */
  private renamed?: Map<string, string>;
  private renames = 0;
  /** A `START TRANSACTION` answered but not yet sent: it goes with the transaction's first statement (see `query`). */
  private beginPending = false;
  /** A WITH_COMMIT statement answered but not yet sent, its values already converted for the wire: it goes with the COMMIT (see `query`). */
  private held?: { text: string; values: unknown[] };
  /** The error of a held statement that was sent ahead of another call: this transaction can only roll back now. */
  private heldError?: unknown;
  /** Set while a held statement is sent ahead of another one, so that it is not held again. */
  private sendingHeld = false;
  private releaseToPool?: (err?: Error | boolean) => void;

  /**
   * pg-pool sets `release` on every checkout. A transaction start still held back when the client
   * goes back to the pool is dropped: nothing of it reached the server, so the next borrower's
   * first statement must not open it. A statement still held for a COMMIT means a transaction left
   * open (neither committed nor rolled back): the connection is then released with an error, so
   * that pg-pool closes it and the server rolls that transaction back, instead of handing it to the
   * next borrower, whose COMMIT would commit it without the held row.
   */
  get release(): ((err?: Error | boolean) => void) | undefined {
    return this.releaseToPool;
  }

  set release(fn: ((err?: Error | boolean) => void) | undefined) {
    this.releaseToPool =
      fn &&
      ((err?: Error | boolean) => {
        const leftOpen = this.held !== undefined;
        this.beginPending = false;
        this.held = undefined;
        this.heldError = undefined;
        fn(err || (leftOpen ? new Error('released inside a transaction, with a statement held for its COMMIT: the connection is closed') : err));
      });
  }

  /**
   * As pg's `query`, with two changes:
   * - a parameterised statement runs as a named prepared statement (the class comment);
   * - TypeORM's `START TRANSACTION` (every `DataSource.transaction`) is answered at once and
   *   sent in the same write as the transaction's first statement, which PostgreSQL then runs
   *   after it in the same protocol exchange (one Sync): one round trip fewer per transaction.
   *   If the start fails, so does that statement, with the start's error. A transaction that
   *   ends before any statement (`COMMIT` or `ROLLBACK` straight after) sends nothing at all.
   */
  override query(...args: unknown[]): any {
    const { config, values, callback } = callOf(args);
    const promised = callback === undefined;
    if (this.held) return this.afterHeld(this.held, args);
    if (this.heldError !== undefined && typeof config === 'string') {
      const end = endOf(config, values);
      if (end === 'commit') return this.refuseCommit(callback);
      // Cleared once the rollback has succeeded: a failed ROLLBACK TO SAVEPOINT leaves the transaction failed.
      if (end === 'rollback') return this.thenClearHeldError(args);
    }
    if (config === BEGIN && values === undefined && promised && !this.beginPending) {
      this.beginPending = true;
      return Promise.resolve(resultOf('BEGIN'));
    }
    if (
      promised && typeof config === 'string' && config.startsWith(WITH_COMMIT) && Array.isArray(values) && values.length > 0 &&
      !this.beginPending && !this.sendingHeld && this.insideTransaction()
    ) {
      try {
        // Converted now, as pg would when sending it: a value that cannot be sent fails this call
        // (nothing can fail on the client later, with the COMMIT), and later changes to the
        // caller's objects do not change the row.
        this.held = { text: config, values: values.map((v) => (v instanceof Uint8Array ? Buffer.from(v) : prepareValue(v))) };
      } catch (err) {
        return Promise.reject(err);
      }
      return Promise.resolve(resultOf(null));
    }
    if (this.beginPending) {
      this.beginPending = false;
      if (typeof config === 'string' && promised) {
        // An empty transaction: nothing was sent, nothing to end.
        if (values === undefined && ENDS.has(config)) return Promise.resolve(resultOf(config));
        return this.afterBegin(config, values);
      }
      // A callback or a query object: the start on its own, queued right in front of the call (pg
      // sends a client's queries in the order they were made). Only a broken connection fails a
      // START TRANSACTION, and that fails the call behind it too.
      (super.query as (...a: unknown[]) => Promise<unknown>)(BEGIN).catch(() => undefined);
    }
    if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0) {
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const name = this.nameOf(config);
    if (name === undefined) return (super.query as (...a: unknown[]) => unknown)(...args);
    const query = { name, text: config, values };
    if (!promised) {
      return (super.query as (...a: unknown[]) => unknown)(query, (err: Error | null, result?: unknown) => {
        if (err) this.noteFailure(config, err);
        callback!(err, result);
      });
    }
    return ((super.query as (...a: unknown[]) => Promise<unknown>)(query)).catch((err: unknown) => {
      this.noteFailure(config, err);
      throw err;
    });
  }

  /**
   * Inside an open transaction, and nothing of this connection's is in flight: the server said so
   * at its last ReadyForQuery ('T'), which pg records before it answers the call that caused it.
   */
  private insideTransaction(): boolean {
    const self = this as unknown as { getTransactionStatus(): string | null; _activeQuery?: unknown; _queryQueue?: unknown[] };
    return self.getTransactionStatus() === 'T' && !self._activeQuery && self._queryQueue?.length === 0;
  }

  /**
   * The next call after a held WITH_COMMIT statement: a COMMIT goes with it in one exchange; a
   * ROLLBACK (also to a savepoint, which was set before it) drops it, since nothing of it reached
   * the server; any other call sends it first, and a promise or a callback call fails with its
   * error if it failed. That error is kept: the transaction's COMMIT, given as a string, is then
   * refused with it (`refuseCommit`). A COMMIT given as a query object is not recognised: the held
   * statement goes ahead of it, and if it failed, PostgreSQL answers that COMMIT with ROLLBACK
   * and no error. TypeORM (the only user of WITH_COMMIT, through AuditService) sends strings.
   */
  private afterHeld(held: { text: string; values: unknown[] }, args: unknown[]): unknown {
    this.held = undefined;
    const { config, values, callback, head } = callOf(args);
    const end = typeof config === 'string' ? endOf(config, values) : undefined;
    if (end === 'commit') return answer(this.heldThenCommit(held), callback);
    if (end === 'rollback') return this.query(...args);
    this.sendingHeld = true;
    let sent: Promise<unknown>;
    try {
      sent = this.query(held.text, held.values) as Promise<unknown>;
    } finally {
      this.sendingHeld = false;
    }
    const first = sent.then(
      () => undefined,
      (err: unknown) => {
        this.heldError ??= err;
        return err;
      },
    );
    if (typeof config !== 'string') return this.query(...args);
    const next = (this.query(...head) as Promise<unknown>).then(
      (result) => ({ result }),
      (err: unknown) => ({ err }),
    );
    return answer(
      Promise.all([first, next]).then(([heldErr, outcome]) => {
        if (heldErr) throw heldErr;
        if ('err' in outcome) throw outcome.err;
        return outcome.result;
      }),
      callback,
    );
  }

  /** A rollback while a held statement's error is kept: the error is dropped, and kept again if the rollback fails (a failed ROLLBACK TO SAVEPOINT leaves the transaction failed). */
  private thenClearHeldError(args: unknown[]): unknown {
    const { callback, head } = callOf(args);
    const kept = this.heldError;
    this.heldError = undefined;
    const rolledBack = (this.query(...head) as Promise<unknown>).catch((err: unknown) => {
      this.heldError ??= kept;
      throw err;
    });
    return answer(rolledBack, callback);
  }

  /** A COMMIT after a held statement failed: a ROLLBACK is sent instead, and the call fails with that statement's error. */
  private refuseCommit(callback: Callback | undefined): unknown {
    const err = this.heldError;
    this.heldError = undefined;
    const rolledBack = (super.query as (...a: unknown[]) => Promise<unknown>)('ROLLBACK').then(
      () => Promise.reject(err),
      () => Promise.reject(err),
    );
    return answer(rolledBack, callback);
  }

  /** The held statement and COMMIT in one exchange; resolves to COMMIT's result, rejects with the statement's error (nothing is committed then). */
  private heldThenCommit(held: { text: string; values: unknown[] }): Promise<unknown> {
    const name = this.nameOf(held.text);
    return this.exchange(held.text, name, (done) => new StatementThenCommit({ name, text: held.text, values: held.values }, done), (results) => {
      const commit = Array.isArray(results) && results.length === 2 ? (results[1] as pg.QueryResult) : undefined;
      // PostgreSQL answers COMMIT of a failed transaction with ROLLBACK, without an error.
      if (commit?.command !== 'COMMIT') throw new Error(`the transaction was not committed (${commit?.command ?? 'no answer'} at its COMMIT)`);
      return commit;
    });
  }

  /**
   * Sends a query of two statements (one Sync) and settles once with `pick(results)` or the
   * first error. pg can answer such a query twice: after a value that cannot be bound it reports
   * the error at once, and still calls back again at the ReadyForQuery of the Sync it sent.
   */
  private exchange(
    text: string,
    name: string | undefined,
    build: (done: (err: Error | null | undefined, results?: unknown) => void) => pg.Query,
    pick: (results: unknown) => unknown,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err: Error | null | undefined, results?: unknown) => {
        if (settled) return;
        settled = true;
        if (err) {
          if (name !== undefined) this.noteFailure(text, err);
          reject(err);
          return;
        }
        try {
          resolve(pick(results));
        } catch (e) {
          reject(e);
        }
      };
      (super.query as (...a: unknown[]) => unknown)(build(done));
    });
  }

  private nameOf(text: string): string | undefined {
    return this.renamed?.get(text) ?? preparedName(text);
  }

  /** After a named statement failed: whether its text is to be prepared under a new name (STALE). */
  private noteFailure(text: string, err: unknown): void {
    // Not from the server (pg.DatabaseError): thrown while binding the values, after which pg has
    // closed the statement on the server (see the class comment).
    const fromServer = err instanceof pg.DatabaseError;
    if (!fromServer || STALE.has(String((err as { code?: unknown }).code))) {
      (this.renamed ??= new Map()).set(text, `${preparedName(text) ?? 'marak'}_${(++this.renames).toString(36)}`);
    }
  }

  /** The held-back `START TRANSACTION` and `text` in one exchange; resolves to `text`'s own result. */
  private afterBegin(text: string, values: unknown): Promise<unknown> {
    const parameterised = Array.isArray(values) && values.length > 0;
    const name = parameterised ? this.nameOf(text) : undefined;
    return this.exchange(
      text,
      name,
      (done) => (parameterised ? new BeginThenStatement({ name, text, values: values as unknown[] }, done) : new pg.Query(`${BEGIN}; ${text}`, undefined, done)),
      // pg answers several statements with one result each, the start's first. A text that was
      // only a comment adds none.
      (results) => (!Array.isArray(results) ? resultOf(null) : results.length === 2 ? results[1] : results.slice(1)),
    );
  }
}

/** The statement TypeORM opens a transaction with (PostgresQueryRunner.startTransaction, outside a savepoint). */
const BEGIN = 'START TRANSACTION';
const ENDS = new Set(['COMMIT', 'ROLLBACK']);

/**
 * Whether a statement ends the transaction ('commit': COMMIT, END, with WORK or TRANSACTION) or
 * rolls (part of) it back ('rollback': ROLLBACK, ABORT, ROLLBACK TO SAVEPOINT), in any case; without
 * values. COMMIT AND CHAIN and PREPARE TRANSACTION are neither: a held statement goes ahead of them.
 */
function endOf(text: string, values: unknown): 'commit' | 'rollback' | undefined {
  if (values !== undefined && !(Array.isArray(values) && values.length === 0)) return undefined;
  // PostgreSQL's own white space, not Unicode's: "COMMIT\u00a0" is a syntax error there, not a COMMIT.
  if (/^[ \t\r\n\f\v]*(COMMIT|END)([ \t\r\n\f\v]+(WORK|TRANSACTION))?[ \t\r\n\f\v]*;?[ \t\r\n\f\v]*$/i.test(text)) return 'commit';
  if (/^[ \t\r\n\f\v]*(ROLLBACK|ABORT)\b(?![ \t\r\n\f\v]+PREPARED)/i.test(text)) return 'rollback';
  return undefined;
}

function resultOf(command: string | null): pg.QueryResult {
  return { command: command as string, rowCount: null, oid: 0, rows: [], fields: [] };
}

interface Wire {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  parse(m: { text: string; name?: string }): void;
  bind(m: { values: unknown[] }): void;
  execute(m: object): void;
}

/**
 * A parameterised statement with an unnamed `START TRANSACTION` (Parse, Bind, Execute) before it
 * in the same extended-protocol exchange, up to one Sync: PostgreSQL runs them in order, and an
 * error in either skips the rest. pg records a named statement as parsed at the first
 * ParseComplete of the exchange, so a named statement not yet parsed on this connection is parsed
 * before the start (a named statement outlives transactions): that first ParseComplete is its own,
 * and if it fails to parse, nothing else runs. An unnamed statement is parsed after the start,
 * whose unnamed statement it replaces.
 */
class BeginThenStatement extends pg.Query {
  constructor(config: { name?: string; text: string; values: unknown[] }, callback: (err: Error | null | undefined, results?: unknown) => void) {
    super({ ...config, callback } as never);
  }

  // pg.Query's own `prepare` (query.js), which @types/pg does not declare.
  prepare(connection: Wire): void {
    const name = (this as { name?: string }).name;
    const text = (this as { text?: string }).text!;
    if (name && connection.parsedStatements[name] === undefined && connection.submittedNamedStatements[name] === undefined) {
      connection.parse({ text, name });
      connection.submittedNamedStatements[name] = text; // as pg.Query.prepare records it: it then only binds
    }
    connection.parse({ text: BEGIN });
    connection.bind({ values: [] });
    connection.execute({});
    (pg.Query.prototype as unknown as { prepare(c: Wire): void }).prepare.call(this, connection);
  }
}

/**
 * A parameterised statement and then an unnamed `COMMIT` (Parse, Bind, Execute) in the same
 * extended-protocol exchange, up to one Sync. PostgreSQL runs them in order; an error in the
 * statement skips the COMMIT, and the transaction stays open and failed until the caller's
 * ROLLBACK. A value that cannot be bound fails on the client before anything runs: pg then sends
 * only a Close and a Sync (its `prepare`), so nothing is committed either.
 */
class StatementThenCommit extends pg.Query {
  constructor(config: { name?: string; text: string; values: unknown[] }, callback: (err: Error | null | undefined, results?: unknown) => void) {
    super({ ...config, callback } as never);
  }

  // pg.Query's own `_getRows` (query.js), called by its `prepare` once the values are bound:
  // Execute and Sync there; here Execute, the COMMIT, then Sync. `rows` is never set here.
  _getRows(connection: Wire & { sync(): void }, rows?: number): void {
    connection.execute({ portal: (this as { portal?: string }).portal, rows });
    connection.parse({ text: 'COMMIT' });
    connection.bind({ values: [] });
    connection.execute({});
    connection.sync();
  }
}
