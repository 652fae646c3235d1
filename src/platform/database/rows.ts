/**
 * The rows of a raw query. TypeORM answers `UPDATE … RETURNING` and `DELETE … RETURNING` on
 * PostgreSQL with `[rows, affectedCount]`, but `SELECT` and `INSERT … RETURNING` with `rows`.
 */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  return (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result) as T[];
}
