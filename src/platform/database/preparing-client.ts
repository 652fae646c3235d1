import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * How many different statement texts a process names (prepares) at most. The app's parameterised
 * statements are a few hundred texts (some built from the request's filters, each combination a
 * text); the ones past the cap run unnamed, as every statement did before, so a text built from
 * something unbounded can never fill a backend's memory with prepared statements.
 */
export const PREPARED_TEXTS_MAX = 1000;

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
 */
export class PreparingClient extends pg.Client {
  /** Texts whose prepared statement went stale on this connection: their next name. */
  private renamed?: Map<string, string>;
  private renames = 0;

  override query(...args: unknown[]): any {
    const [config, values, callback] = args as [unknown, unknown, Callback | undefined];
    if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0) {
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const name = this.renamed?.get(config) ?? preparedName(config);
    if (name === undefined) return (super.query as (...a: unknown[]) => unknown)(...args);
    const stale = (err: unknown) => {
      // Not from the server (pg.DatabaseError): thrown while binding the values, after which pg
      // has closed the statement on the server (see the class comment).
      const fromServer = err instanceof pg.DatabaseError;
      if (!fromServer || STALE.has(String((err as { code?: unknown }).code))) {
        (this.renamed ??= new Map()).set(config, `${preparedName(config) ?? 'marak'}_${(++this.renames).toString(36)}`);
      }
    };
    const query = { name, text: config, values };
    if (typeof callback === 'function') {
      return (super.query as (...a: unknown[]) => unknown)(query, (err: Error | null, result?: unknown) => {
        if (err) stale(err);
        callback(err, result);
      });
    }
    return ((super.query as (...a: unknown[]) => Promise<unknown>)(query)).catch((err: unknown) => {
      stale(err);
      throw err;
    });
  }
}
