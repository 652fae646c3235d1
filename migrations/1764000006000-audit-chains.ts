import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log becomes a small number of parallel chains instead of one (src/modules/audit).
 *
 * One chain needed one lock, held from reading the head to the commit of every audited
 * transaction: at 100 case reads a second the lock was nearly always held and reads queued on
 * it (bench/RESULTS.md: 784 of 1,503 reads waited more than 15 ms on it). Now a transaction
 * takes the first chain whose lock is free (`pg_try_advisory_xact_lock`), so one waits only when
 * every chain is busy. Without contention every row still goes on chain 0.
 *
 * - `chain`: the chain a row is on. Rows written before this migration are chain 0, which
 *   continues from them. Every chain starts from its own genesis hash (chain 0's is 32 zero
 *   bytes, as before), so UNIQUE (prev_hash) still refuses a fork in any chain.
 * - `seq` stays one sequence for the whole log, taken under the chain's lock: within a chain, seq
 *   order is chain order. The verifier walks seq order and follows each chain's links.
 * - `audit_chain_claim(chains, lock_base)`: one round trip that takes the chain (or the one this
 *   transaction already holds: one lock per transaction, so two transactions never wait on each
 *   other's chains crosswise), the next seq and the chain's head hash (null: empty chain).
 */
export class AuditChains1764000006000 implements MigrationInterface {
  name = 'AuditChains1764000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log ADD COLUMN chain smallint NOT NULL DEFAULT 0 CHECK (chain >= 0)`);
    await q.query(`CREATE INDEX audit_log_chain_idx ON audit_log (chain, seq DESC)`);
    await q.query(`
      CREATE FUNCTION audit_chain_claim(chains integer, lock_base bigint)
      RETURNS TABLE (claimed_chain integer, claimed_seq bigint, head_hash bytea)
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        held text := current_setting('marak.audit_chain', true);
        c integer;
      BEGIN
        IF held IS NOT NULL AND held <> '' THEN
          c := held::integer;  -- this transaction holds its chain's lock already
        ELSE
          FOR i IN 0 .. chains - 1 LOOP
            IF pg_try_advisory_xact_lock(lock_base + i) THEN
              c := i;
              EXIT;
            END IF;
          END LOOP;
          IF c IS NULL THEN  -- every chain busy: wait for one
            c := pg_backend_pid() % chains;
            PERFORM pg_advisory_xact_lock(lock_base + c);
          END IF;
          PERFORM set_config('marak.audit_chain', c::text, true);
        END IF;
        claimed_chain := c;
        claimed_seq := nextval(pg_get_serial_sequence('audit_log', 'seq'));
        -- A statement of its own, so under READ COMMITTED its snapshot is taken after the lock
        -- was granted and sees the head the previous holder committed.
        SELECT l.hash INTO head_hash FROM audit_log l WHERE l.chain = c ORDER BY l.seq DESC LIMIT 1;
        RETURN NEXT;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_chain_claim(integer, bigint)`);
    await q.query(`DROP INDEX audit_log_chain_idx`);
    await q.query(`ALTER TABLE audit_log DROP COLUMN chain`);
  }
}
