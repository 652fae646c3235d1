import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log: append-only, one row per read or write of case data, chained with an HMAC
 * (src/modules/audit/audit-chain.ts). Rows hold ids and codes only, never personal data, so
 * retention's anonymisation never touches them and never breaks the chain.
 */
export class AuditLog1763920000000 implements MigrationInterface {
  name = 'AuditLog1763920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        seq             bigserial   PRIMARY KEY,               -- chain order
        id              uuid        NOT NULL UNIQUE,
        occurred_at     timestamptz NOT NULL,
        actor_id        uuid,                                  -- null: the system (a job) or no signed-in user
        actor_agency_id uuid,
        actor_roles     text[]      NOT NULL DEFAULT '{}',     -- 'admin', 'coordinator@<groupId>', sorted
        action          text        NOT NULL CHECK (action ~ '^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$'),
        object_type     text        NOT NULL CHECK (object_type ~ '^[a-z][a-z0-9_-]*$'),
        object_id       text,
        subject_ids     uuid[]      NOT NULL DEFAULT '{}',     -- the people whose data this concerns
        purpose         text,
        request_id      text,
        group_id        uuid,
        details         jsonb       NOT NULL DEFAULT '{}',     -- codes from an allow-list only
        prev_hash       bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
        hash            bytea       NOT NULL CHECK (octet_length(hash) = 32),
        -- Two rows naming the same predecessor would be a fork: refused whatever the isolation level.
        CONSTRAINT audit_log_prev_hash_key UNIQUE (prev_hash),
        CONSTRAINT audit_log_hash_key UNIQUE (hash)
      )`);
    await q.query(`CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, seq DESC)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, seq DESC)`);
    await q.query(`CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at)`);
    await q.query(`CREATE INDEX audit_log_subject_ids_idx ON audit_log USING gin (subject_ids)`);

    await q.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
    await q.query(`COMMENT ON TABLE audit_log IS 'Append-only, HMAC-chained audit log. Never updated, deleted or anonymised.'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_refuse_change()`);
  }
}
