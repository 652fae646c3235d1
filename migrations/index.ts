/**
 * Every migration, in order. Migrations are listed here rather than found by a glob so the
 * same list works compiled (dist/) and under jest. Never edit a landed migration: add one.
 */
import { IdempotencyKeys1763900000000 } from './1763900000000-idempotency-keys.js';

export const MIGRATIONS = [IdempotencyKeys1763900000000];
