import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/platform/database/data-source-options.js';
import { PREPARED_TEXTS_MAX, preparedName } from '../../src/platform/database/preparing-client.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';

/**
 * The app's connections run parameterised statements prepared (PreparingClient, the pool's
 * client class in dataSourceOptions): the same answers as unprepared, parsed once per connection,
 * and a statement whose result columns a migration changed works again after one failure.
 */
describe('prepared statements on the app’s connections', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeEach(async () => {
    db = await createTestDatabase();
    // One connection, so every call below runs on the same backend.
    ds = new DataSource(dataSourceOptions(db.url, { extra: { max: 1 } }));
    await ds.initialize();
  });
  afterEach(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const prepared = async (): Promise<Array<{ name: string; statement: string }>> =>
    ds.query(`SELECT name, statement FROM pg_prepared_statements ORDER BY name`);

  it('prepares a parameterised statement once per connection and answers as before', async () => {
    const text = `SELECT $1::int + 1 AS n, $2::text AS t`;
    expect(await ds.query(text, [1, 'a'])).toEqual([{ n: 2, t: 'a' }]);
    expect(await ds.query(text, [41, 'b'])).toEqual([{ n: 42, t: 'b' }]);
    const rows = (await prepared()).filter((r) => r.statement === text);
    expect(rows).toEqual([{ name: preparedName(text), statement: text }]);
    // Statements without parameters (transaction control, this very query) are not prepared.
    expect((await prepared()).some((r) => r.statement.includes('pg_prepared_statements'))).toBe(false);
  });

  it('runs transactions, errors and rollbacks on prepared statements as on unnamed ones', async () => {
    await ds.query(`CREATE TABLE prep_probe (id int PRIMARY KEY, v text NOT NULL)`);
    const insert = `INSERT INTO prep_probe (id, v) VALUES ($1, $2)`;
    await ds.query(insert, [1, 'one']);
    // A unique violation still reaches the caller as the driver's error, with its code.
    await expect(ds.query(insert, [1, 'again'])).rejects.toMatchObject({ driverError: { code: '23505' } });
    // A failing statement inside a transaction rolls the transaction back, prepared or not.
    await expect(
      ds.transaction(async (tx) => {
        await tx.query(insert, [2, 'two']);
        await tx.query(insert, [1, 'clash']);
      }),
    ).rejects.toMatchObject({ driverError: { code: '23505' } });
    expect(await ds.query(`SELECT id, v FROM prep_probe WHERE id >= $1 ORDER BY id`, [0])).toEqual([{ id: 1, v: 'one' }]);
  });

  it('prepares again, under a new name, a statement whose result columns a migration changed', async () => {
    await ds.query(`CREATE TABLE prep_stale (id int PRIMARY KEY, v text)`);
    await ds.query(`INSERT INTO prep_stale VALUES (1, 'one')`);
    const text = `SELECT * FROM prep_stale WHERE id = $1`;
    expect(await ds.query(text, [1])).toEqual([{ id: 1, v: 'one' }]);
    await ds.query(`ALTER TABLE prep_stale ADD COLUMN w text`);
    // PostgreSQL refuses the stale statement once on this connection (0A000)…
    await expect(ds.query(text, [1])).rejects.toMatchObject({ driverError: { code: '0A000' } });
    // …and the next call prepares the text afresh and sees the new column.
    expect(await ds.query(text, [1])).toEqual([{ id: 1, v: 'one', w: null }]);
    expect(await ds.query(text, [1])).toEqual([{ id: 1, v: 'one', w: null }]);
  });

  it('recovers the statement after a value that cannot be sent (pg closes it on the server)', async () => {
    const text = `SELECT $1::jsonb AS j`;
    expect(await ds.query(text, [{ a: 1 }])).toEqual([{ j: { a: 1 } }]);
    // JSON.stringify refuses a BigInt while pg binds the values: that call fails…
    await expect(ds.query(text, [{ a: 1n }])).rejects.toThrow();
    // …and the next ones work (without the rename, every later call failed with 26000).
    expect(await ds.query(text, [{ a: 2 }])).toEqual([{ j: { a: 2 } }]);
    expect(await ds.query(text, [{ a: 3 }])).toEqual([{ j: { a: 3 } }]);
  });

  it('prepares again a statement whose parameter type a migration changed', async () => {
    await ds.query(`CREATE TABLE prep_type (id int PRIMARY KEY, code int)`);
    await ds.query(`INSERT INTO prep_type VALUES (1, 7)`);
    const text = `SELECT id FROM prep_type WHERE code = $1`;
    expect(await ds.query(text, [7])).toEqual([{ id: 1 }]);
    await ds.query(`ALTER TABLE prep_type ALTER COLUMN code TYPE text USING code::text`);
    // The statement's $1 was fixed as integer: PostgreSQL refuses it once (text = integer)…
    await expect(ds.query(text, ['7'])).rejects.toMatchObject({ driverError: { code: '42883' } });
    // …and the next call parses the text afresh, with $1 as text.
    expect(await ds.query(text, ['7'])).toEqual([{ id: 1 }]);
  });

  it('names at most PREPARED_TEXTS_MAX texts; later texts run unnamed and still answer', async () => {
    for (let i = 0; preparedName(`SELECT ${i} + $1::int AS n`) !== undefined; i++) {
      if (i > PREPARED_TEXTS_MAX) throw new Error('the cap did not hold');
    }
    const past = `SELECT 'past the cap' AS what, $1::int AS n`;
    expect(preparedName(past)).toBeUndefined();
    expect(await ds.query(past, [7])).toEqual([{ what: 'past the cap', n: 7 }]);
    expect((await prepared()).some((r) => r.statement === past)).toBe(false);
  });
});
