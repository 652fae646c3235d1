import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/platform/database/data-source-options.js';
import { PREPARED_TEXTS_MAX, PreparingClient, WITH_COMMIT, preparedName } from '../../src/platform/database/preparing-client.js';
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

  describe('a transaction’s start goes with its first statement', () => {
    /** Exchanges with the server (one ReadyForQuery each) on the only connection while `work` runs. */
    const exchanges = async (work: () => Promise<unknown>): Promise<number> => {
      const pool = (ds.driver as unknown as { master: pg.Pool }).master;
      const client = await pool.connect();
      let n = 0;
      const count = () => n++;
      const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
      connection.on('readyForQuery', count);
      client.release();
      try {
        await work();
      } finally {
        connection.off('readyForQuery', count);
      }
      return n;
    };
    /** The state of the connection's backend as another connection sees it ('idle', 'idle in transaction', …). */
    const backendState = async (): Promise<string> => {
      const [{ pid }] = await ds.query(`SELECT pg_backend_pid() AS pid`);
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        return (await other.query(`SELECT state FROM pg_stat_activity WHERE pid = $1`, [pid])).rows[0].state;
      } finally {
        await other.end();
      }
    };

    beforeEach(async () => {
      await ds.query(`CREATE TABLE tx_probe (id int PRIMARY KEY, v text NOT NULL)`);
    });

    it('runs a transaction in one round trip fewer, all of it in one transaction, committed', async () => {
      const insert = `INSERT INTO tx_probe (id, v) VALUES ($1, $2) RETURNING txid_current()::text AS tx`;
      await ds.transaction((tx) => tx.query(insert, [0, 'warm'])); // the connection parses the text once, on its own
      let txids: string[] = [];
      const n = await exchanges(() =>
        ds.transaction(async (tx) => {
          const [a] = await tx.query(insert, [1, 'one']);
          const [b] = await tx.query(insert, [2, 'two']);
          txids = [a.tx, b.tx];
        }),
      );
      // The start and the first insert, the second insert, the commit: 3 (4 when the start went alone).
      expect(n).toBe(3);
      expect(txids[0]).toBe(txids[1]);
      expect(await ds.query(`SELECT id FROM tx_probe WHERE id > $1 ORDER BY id`, [0])).toEqual([{ id: 1 }, { id: 2 }]);
      expect(await backendState()).toBe('idle');
    });

    it('rolls back a transaction whose first statement fails, and leaves the connection out of any transaction', async () => {
      const insert = `INSERT INTO tx_probe (id, v) VALUES ($1, $2)`;
      await ds.query(insert, [1, 'one']);
      await ds.transaction((tx) => tx.query(insert, [2, 'warm'])); // parsed on this connection
      await expect(
        ds.transaction(async (tx) => {
          await tx.query(insert, [1, 'clash']); // the start goes with it; it fails
          await tx.query(insert, [3, 'never']);
        }),
      ).rejects.toMatchObject({ driverError: { code: '23505' } });
      // A later transaction whose first statement succeeds and whose second fails leaves nothing either.
      await expect(
        ds.transaction(async (tx) => {
          await tx.query(insert, [4, 'four']);
          await tx.query(insert, [1, 'clash']);
        }),
      ).rejects.toMatchObject({ driverError: { code: '23505' } });
      expect(await ds.query(`SELECT id FROM tx_probe ORDER BY id`)).toEqual([{ id: 1 }, { id: 2 }]);
      expect(await backendState()).toBe('idle');
      // An autocommit statement after them commits at once.
      await ds.query(insert, [5, 'five']);
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      expect((await other.query(`SELECT id FROM tx_probe WHERE id = 5`)).rowCount).toBe(1);
      await other.end();
    });

    it('parses a statement new to the connection in the same exchange, before the start; a text that fails to parse opens no transaction', async () => {
      // Named in the first test above (the cap test fills the process's names; texts after it run unnamed).
      const named = `SELECT $1::int + 1 AS n, $2::text AS t`;
      expect(preparedName(named)).toBeDefined();
      const n = await exchanges(() =>
        expect(
          ds.transaction(async (tx) => {
            expect(await tx.query(named, [1, 'a'])).toEqual([{ n: 2, t: 'a' }]);
            await tx.query(`INSERT INTO tx_probe (id, v) VALUES (1, 'one')`);
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind'),
      );
      expect(n).toBe(3); // the start with the statement, the insert, the rollback
      expect(await ds.query(`SELECT id FROM tx_probe`)).toEqual([]); // the insert was inside the transaction
      expect((await prepared()).filter((r) => r.statement === named)).toHaveLength(1);
      // A text that fails to parse, first in a transaction: refused, and the connection goes on.
      await expect(ds.transaction((tx) => tx.query(`SELEC $1::int`, [1]))).rejects.toMatchObject({ driverError: { code: '42601' } });
      expect(await backendState()).toBe('idle');
      expect(await ds.transaction((tx) => tx.query(named, [2, 'b']))).toEqual([{ n: 3, t: 'b' }]);
    });

    it('prepares again a stale statement that comes first in its transaction', async () => {
      // A text named in a test above (texts first seen after the cap test run unnamed, never stale).
      const text = `SELECT * FROM prep_stale WHERE id = $1`;
      expect(preparedName(text)).toBeDefined();
      await ds.query(`CREATE TABLE prep_stale (id int PRIMARY KEY, v text)`);
      await ds.query(`INSERT INTO prep_stale VALUES (1, 'one')`);
      expect(await ds.transaction((tx) => tx.query(text, [1]))).toEqual([{ id: 1, v: 'one' }]);
      await ds.query(`ALTER TABLE prep_stale ADD COLUMN w text`);
      await expect(ds.transaction((tx) => tx.query(text, [1]))).rejects.toMatchObject({ driverError: { code: '0A000' } });
      expect(await ds.transaction((tx) => tx.query(text, [1]))).toEqual([{ id: 1, v: 'one', w: null }]);
    });

    it('refuses a first statement whose value cannot be sent, once, and the connection goes on', async () => {
      const text = `SELECT $1::jsonb AS j`;
      expect(await ds.transaction((tx) => tx.query(text, [{ a: 1 }]))).toEqual([{ j: { a: 1 } }]);
      const uncaught: unknown[] = [];
      const onUncaught = (e: unknown) => uncaught.push(e);
      process.on('uncaughtException', onUncaught);
      try {
        await expect(ds.transaction((tx) => tx.query(text, [{ a: 1n }]))).rejects.toThrow(/BigInt/);
        await new Promise((r) => setTimeout(r, 50)); // pg's second answer to the call comes at the next ReadyForQuery
      } finally {
        process.off('uncaughtException', onUncaught);
      }
      expect(uncaught).toEqual([]);
      expect(await backendState()).toBe('idle');
      expect(await ds.transaction((tx) => tx.query(text, [{ a: 2 }]))).toEqual([{ j: { a: 2 } }]);
    });

    it('answers the callback forms and a comment-only statement after a held-back start, inside the transaction', async () => {
      const client = new PreparingClient({ connectionString: db.url });
      await client.connect();
      try {
        await client.query('START TRANSACTION');
        const first = await new Promise<pg.QueryResult>((resolve, reject) => client.query(`SELECT txid_current()::text AS tx`, (err: Error, r: pg.QueryResult) => (err ? reject(err) : resolve(r))));
        const second = await client.query(`SELECT txid_current()::text AS tx`);
        expect(first.rows[0].tx).toBe(second.rows[0].tx);
        await client.query('COMMIT');
        await client.query('START TRANSACTION');
        expect((await client.query('-- nothing')).rows).toEqual([]);
        await client.query(`INSERT INTO tx_probe VALUES ($1, $2)`, [1, 'one']);
        await client.query('ROLLBACK');
        expect((await client.query(`SELECT count(*)::int AS n FROM tx_probe`)).rows).toEqual([{ n: 0 }]);
      } finally {
        await client.end();
      }
    });

    it('joins the start to a first statement without parameters, and sends nothing for a transaction with no statement', async () => {
      const n = await exchanges(() =>
        ds.transaction(async (tx) => {
          const [a] = await tx.query(`SELECT txid_current()::text AS tx`);
          const [b] = await tx.query(`SELECT txid_current()::text AS tx`);
          expect(a.tx).toBe(b.tx);
        }),
      );
      expect(n).toBe(3);
      expect(await exchanges(() => ds.transaction(async () => 'nothing to do'))).toBe(0);
      await expect(
        ds.transaction(async () => {
          throw new Error('refused before any statement');
        }),
      ).rejects.toThrow('refused before any statement');
      expect(await backendState()).toBe('idle');
    });

    describe('a statement marked WITH_COMMIT (the audit row) goes with the COMMIT', () => {
      const insert = `INSERT INTO tx_probe (id, v) VALUES ($1, $2)`;
      const last = `${WITH_COMMIT}INSERT INTO tx_probe (id, v) VALUES ($1, $2)`;
      const committed = async (): Promise<number[]> => {
        const other = new pg.Client({ connectionString: db.url });
        await other.connect();
        try {
          return (await other.query(`SELECT id FROM tx_probe ORDER BY id`)).rows.map((r) => r.id);
        } finally {
          await other.end();
        }
      };

      /** `work` on a PreparingClient of its own (not the pool's), with its calls in the callback form as promises. */
      const onOwnClient = async (work: (client: PreparingClient, viaCallback: (text: string) => Promise<pg.QueryResult>) => Promise<void>) => {
        const client = new PreparingClient({ connectionString: db.url });
        await client.connect();
        const viaCallback = (text: string) => new Promise<pg.QueryResult>((resolve, reject) => client.query(text, (err: Error, r: pg.QueryResult) => (err ? reject(err) : resolve(r))));
        try {
          await work(client, viaCallback);
        } finally {
          await client.end();
        }
      };

      it('sends it and the COMMIT in one exchange, and both rows are committed', async () => {
        await ds.transaction(async (tx) => {
          await tx.query(insert, [100, 'warm']);
          await tx.query(last, [101, 'warm']);
        });
        const n = await exchanges(() =>
          ds.transaction(async (tx) => {
            await tx.query(insert, [1, 'one']);
            expect(await tx.query(last, [2, 'the audit row'])).toEqual([]); // answered at once, no rows
          }),
        );
        expect(n).toBe(2); // the start with the first insert; the marked insert with the commit (3 before)
        expect(await committed()).toEqual([1, 2, 100, 101]);
        expect(await backendState()).toBe('idle');
      });

      it('rolls the whole transaction back when it fails at the commit, with its own error', async () => {
        await ds.query(insert, [1, 'one']);
        await expect(
          ds.transaction(async (tx) => {
            await tx.query(insert, [2, 'two']);
            await tx.query(last, [1, 'clash']);
          }),
        ).rejects.toMatchObject({ driverError: { code: '23505' } });
        expect(await committed()).toEqual([1]);
        expect(await backendState()).toBe('idle');
        // The connection goes on, and the marked statement works again.
        await ds.transaction(async (tx) => {
          await tx.query(insert, [3, 'three']);
          await tx.query(last, [4, 'four']);
        });
        expect(await committed()).toEqual([1, 3, 4]);
      });

      it('is sent before a later statement of the transaction, whose call fails with its error', async () => {
        const seen = await ds.transaction(async (tx) => {
          await tx.query(insert, [1, 'one']);
          await tx.query(last, [2, 'two']);
          return tx.query(`SELECT id FROM tx_probe WHERE id > $1 ORDER BY id`, [0]);
        });
        expect(seen).toEqual([{ id: 1 }, { id: 2 }]);
        await expect(
          ds.transaction(async (tx) => {
            await tx.query(insert, [3, 'three']);
            await tx.query(last, [1, 'clash']);
            await tx.query(`SELECT 1 AS one`);
          }),
        ).rejects.toMatchObject({ driverError: { code: '23505' } }); // not 25P02 (transaction aborted)
        expect(await committed()).toEqual([1, 2]);
        expect(await backendState()).toBe('idle');
      });

      it('is dropped by a rollback, also to a savepoint set before it', async () => {
        const n = await exchanges(() =>
          expect(
            ds.transaction(async (tx) => {
              await tx.query(insert, [1, 'one']);
              await tx.query(last, [2, 'two']);
              throw new Error('changed my mind');
            }),
          ).rejects.toThrow('changed my mind'),
        );
        expect(n).toBe(2); // the start with the first insert; the rollback
        // A nested transaction (a savepoint) that records and fails: its rows go, the outer ones stay.
        await ds.transaction(async (tx) => {
          await tx.query(insert, [3, 'outer']);
          await expect(
            tx.transaction(async (inner) => {
              await inner.query(insert, [4, 'inner']);
              await inner.query(last, [5, 'inner audit row']);
              throw new Error('inner fails');
            }),
          ).rejects.toThrow('inner fails');
          await tx.query(last, [6, 'outer audit row']);
        });
        expect(await committed()).toEqual([3, 6]);
        expect(await backendState()).toBe('idle');
      });

      it('closes a connection that goes back to the pool with a statement held, so that its open transaction is rolled back', async () => {
        const runner = ds.createQueryRunner();
        await runner.connect();
        const [{ pid }] = await runner.query(`SELECT pg_backend_pid() AS pid`);
        await runner.startTransaction();
        await runner.query(insert, [1, 'one']);
        await runner.query(last, [2, 'two']);
        await runner.release(); // neither committed nor rolled back: the caller's leak
        // The next borrower gets a new connection, and its commit carries nothing of the leaked transaction.
        await ds.transaction(async (tx) => {
          await tx.query(insert, [3, 'three']);
          await tx.query(last, [4, 'four']);
        });
        expect(await committed()).toEqual([3, 4]);
        const [{ pid: now }] = await ds.query(`SELECT pg_backend_pid() AS pid`);
        expect(now).not.toBe(pid);
      });

      it('fails the call itself when a value cannot be sent, and the transaction with it', async () => {
        const withJson = `${WITH_COMMIT}INSERT INTO tx_probe (id, v) SELECT $1, $2::jsonb::text`;
        await expect(
          ds.transaction(async (tx) => {
            await tx.query(insert, [1, 'one']);
            await tx.query(withJson, [2, { a: 1n }]);
          }),
        ).rejects.toThrow(/BigInt/);
        expect(await committed()).toEqual([]);
        expect(await backendState()).toBe('idle');
        // The values are taken when it is held: a change to the caller's object afterwards is not sent.
        await ds.transaction(async (tx) => {
          const value = { a: 4 };
          await tx.query(insert, [3, 'three']);
          await tx.query(withJson, [4, value]);
          value.a = 5;
        });
        expect(await ds.query(`SELECT v FROM tx_probe WHERE id = 4`)).toEqual([{ v: '{"a": 4}' }]);
      });

      it('goes with a COMMIT in the callback form and in lower case, and is not held after the transaction ended so', async () => {
        await onOwnClient(async (client, viaCallback) => {
          await client.query('START TRANSACTION');
          await client.query(insert, [1, 'one']);
          await client.query(last, [2, 'two']);
          expect((await viaCallback('COMMIT')).command).toBe('COMMIT');
          await client.query('START TRANSACTION');
          await client.query(insert, [3, 'three']);
          await client.query(last, [4, 'four']);
          await client.query('commit');
          // Out of any transaction now (the server says so): this runs at once, in autocommit.
          await client.query(last, [5, 'autocommit']);
          expect(await committed()).toEqual([1, 2, 3, 4, 5]);
        });
      });

      it('refuses the COMMIT when the commit itself fails after it, and nothing is committed', async () => {
        await ds.query(`CREATE TABLE tx_parent (id int PRIMARY KEY)`);
        await ds.query(`ALTER TABLE tx_probe ADD COLUMN parent int REFERENCES tx_parent (id) DEFERRABLE INITIALLY DEFERRED`);
        await expect(
          ds.transaction(async (tx) => {
            await tx.query(`INSERT INTO tx_probe (id, v, parent) VALUES ($1, $2, $3)`, [1, 'orphan', 42]); // checked at the commit
            await tx.query(last, [2, 'the audit row']);
          }),
        ).rejects.toMatchObject({ driverError: { code: '23503' } });
        expect(await committed()).toEqual([]);
        expect(await backendState()).toBe('idle');
      });

      it('refuses the COMMIT of a transaction whose held statement failed ahead of a later one', async () => {
        await ds.query(insert, [1, 'one']);
        await expect(
          ds.transaction(async (tx) => {
            await tx.query(insert, [2, 'two']);
            await tx.query(last, [1, 'clash']);
            await tx.query(`SELECT 1 AS one`).catch(() => undefined); // its error swallowed by a careless caller
          }),
        ).rejects.toMatchObject({ driverError: { code: '23505' } });
        expect(await committed()).toEqual([1]);
        expect(await backendState()).toBe('idle');
      });

      it('refuses a callback COMMIT too after the held statement failed, and keeps refusing after a failed ROLLBACK TO SAVEPOINT', async () => {
        await ds.query(insert, [1, 'one']);
        await onOwnClient(async (client, viaCallback) => {
          await client.query('START TRANSACTION');
          await client.query(insert, [2, 'two']);
          await client.query(last, [1, 'clash']);
          await expect(client.query(`SELECT 1 AS one`)).rejects.toMatchObject({ code: '23505' });
          await expect(viaCallback('COMMIT')).rejects.toMatchObject({ code: '23505' });
          expect(client.getTransactionStatus()).toBe('I');
          await client.query('START TRANSACTION');
          await client.query(insert, [3, 'three']);
          await client.query(last, [1, 'clash']);
          await client.query(`SELECT 1 AS one`).catch(() => undefined);
          await expect(client.query('ROLLBACK TO SAVEPOINT nowhere')).rejects.toMatchObject({ code: '3B001' }); // no such savepoint: the transaction stays failed
          await expect(client.query('COMMIT')).rejects.toMatchObject({ code: '23505' });
          expect(await committed()).toEqual([1]);
        });
      });

      it('runs at once outside a transaction, and first in a transaction goes with its start', async () => {
        await ds.query(last, [1, 'autocommit']);
        expect(await committed()).toEqual([1]);
        const n = await exchanges(() => ds.transaction((tx) => tx.query(last, [2, 'alone'])));
        expect(n).toBe(2); // the start with it; the commit
        expect(await committed()).toEqual([1, 2]);
      });
    });

    it('drops a start still held back when the connection goes back to the pool', async () => {
      const runner = ds.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      await runner.release(); // released without commit or rollback: nothing reached the server
      await ds.query(`INSERT INTO tx_probe (id, v) VALUES ($1, $2)`, [9, 'autocommit']);
      expect(await backendState()).toBe('idle');
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      expect((await other.query(`SELECT id FROM tx_probe`)).rows).toEqual([{ id: 9 }]);
      await other.end();
    });
  });
});
