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

/** SQLSTATE 0A000 with this message: a prepared statement's result columns changed under it (a migration). */
const RESULT_TYPE_CHANGED = 'cached plan must not change result type';

type Callback = (err: Error | null, result?: unknown) => void;

/**
 * A `pg` client that runs every parameterised statement as a named prepared statement (pool
 * option `Client`, see data-source-options.ts). PostgreSQL then parses and analyses each text
 * once per connection instead of on every call, and can keep a plan: a request runs 6–14
 * statements, and the parse/plan of each was a large part of the database's CPU per request
 * (bench/RESULTS.md). Plans follow PostgreSQL's default `plan_cache_mode` (auto: custom plans
 * first, a generic plan only when it is estimated no dearer). Statements without parameters
 * (transaction control) go as before.
 *
 * A migration that changes the columns a prepared `SELECT *` returns makes PostgreSQL refuse that
 * statement on connections that prepared it before (0A000). The statement fails once on that
 * connection, as it would have without preparing had the app read a column that moved; the
 * connection then prepares the text under a new name.
 */
export class PreparingClient extends pg.Client {
  /** Texts whose prepared statement went stale on this connection: their next name. */
  private renamed?: Map<string, string>;

  override query(...args: unknown[]): any {
    const [config, values, callback] = args as [unknown, unknown, Callback | undefined];
    if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0) {
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const name = this.renamed?.get(config) ?? preparedName(config);
    if (name === undefined) return (super.query as (...a: unknown[]) => unknown)(...args);
    const stale = (err: unknown) => {
      if ((err as { code?: string; message?: string })?.code === '0A000' && String((err as Error).message).includes(RESULT_TYPE_CHANGED)) {
        (this.renamed ??= new Map()).set(config, `${name}_${(this.renamed.size + 1).toString(36)}`);
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
