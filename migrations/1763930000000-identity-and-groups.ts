import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdentityAndGroups1763930000000 implements MigrationInterface {
  name = 'IdentityAndGroups1763930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agencies (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        kind         text NOT NULL CHECK (kind IN ('police', 'social_services', 'child_welfare', 'health', 'mental_health',
                       'substance_abuse', 'housing', 'victim_support', 'shelter', 'probation', 'education', 'other')),
        email        text NOT NULL,
        municipality text,
        active       boolean NOT NULL DEFAULT true,
        version      integer NOT NULL DEFAULT 1,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX agencies_name_key ON agencies (lower(name))`);

    await q.query(`
      CREATE TABLE groups (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        area       text NOT NULL CHECK (length(area) BETWEEN 1 AND 200),
        settings   jsonb NOT NULL,
        version    integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX groups_name_key ON groups (lower(name))`);

    await q.query(`
      CREATE TABLE group_agencies (
        group_id  uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
        agency_id uuid NOT NULL REFERENCES agencies (id),
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, agency_id)
      )`);
    await q.query(`CREATE INDEX group_agencies_agency_idx ON group_agencies (agency_id)`);

    await q.query(`
      CREATE TABLE users (
        id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email           text NOT NULL CHECK (email = lower(email)),
        name            text NOT NULL,
        agency_id       uuid REFERENCES agencies (id),
        password_hash   text NOT NULL,
        active          boolean NOT NULL DEFAULT true,
        mfa_secret_enc  bytea,
        mfa_enabled     boolean NOT NULL DEFAULT false,
        mfa_last_step   bigint NOT NULL DEFAULT 0,
        version         integer NOT NULL DEFAULT 1,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CHECK (NOT mfa_enabled OR mfa_secret_enc IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (email)`);
    await q.query(`CREATE INDEX users_agency_idx ON users (agency_id)`);

    await q.query(`
      CREATE TABLE user_roles (
        user_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role     text NOT NULL CHECK (role IN ('admin', 'coordinator', 'chair', 'agency_rep', 'referrer', 'analyst')),
        group_id uuid REFERENCES groups (id) ON DELETE CASCADE,
        CHECK ((role = 'admin') = (group_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX user_roles_key ON user_roles (user_id, role, coalesce(group_id, '00000000-0000-0000-0000-000000000000'))`);
    await q.query(`CREATE INDEX user_roles_group_idx ON user_roles (group_id, role)`);

    // A session is a family of refresh tokens; one row per token, rotated on every refresh.
    await q.query(`
      CREATE TABLE refresh_tokens (
        id             uuid PRIMARY KEY,
        family_id      uuid NOT NULL,
        user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash     bytea NOT NULL,
        mfa            boolean NOT NULL,
        created_at     timestamptz NOT NULL,
        expires_at     timestamptz NOT NULL,
        revoked_at     timestamptz,
        revoked_reason text CHECK (revoked_reason IN ('rotated', 'reuse-detected', 'logout', 'deactivated', 'expired-family')),
        replaced_by    uuid
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id)`);
    await q.query(`CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['refresh_tokens', 'user_roles', 'users', 'group_agencies', 'groups', 'agencies']) await q.query(`DROP TABLE ${t}`);
  }
}
