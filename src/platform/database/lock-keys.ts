/**
 * Every single-key PostgreSQL advisory lock of the service, in one place so that no two
 * mechanisms share a key by accident (the bootstrap admin once shared the audit chain's).
 * Two-key locks (`pg_advisory_xact_lock(hashtext('…'), …)`) live in a keyspace of their own.
 */
export const LOCK_KEYS = {
  migrations: 724_615_001,
  /** The audit log's chains: chain i locks auditChains + i (i < AUDIT_CHAINS). */
  auditChains: 724_616_000,
  bootstrapAdmin: 724_615_003,
  caseOpening: 724_615_010,
  timerReconcile: 724_615_101,
  notificationsReconcile: 724_615_201,
  retentionRun: 724_615_301,
} as const;
