/**
 * Typed, validated configuration. `loadConfig` is a pure function of the environment so that
 * every rule (production refuses development defaults, the test clock, …) is unit-tested.
 */
import { parseBlindIndexKey, parseDataKeys } from '../../libs/field-crypto/index.js';

export type Role = 'all' | 'api' | 'worker';

export interface AppConfig {
  env: 'production' | 'development' | 'test';
  role: Role;
  port: number;
  /** Undefined when not configured: the launcher finds or starts one (never in production). */
  databaseUrl?: string;
  redisUrl?: string;
  smtpUrl?: string;
  mailFrom: string;
  publicUrl: string;
  /** MARAK_DATA_KEYS: `v1:<base64>,v2:<base64>` — the last one encrypts. */
  dataKeys: string;
  blindIndexKey: string;
  auditKey: string;
  jwtSecret: string;
  bootstrapAdmin?: { email: string; password: string };
  mfaRequired: boolean;
  testClock: boolean;
  queuePrefix: string;
  logLevel: string;
  /** Names of the development defaults in use, for the loud warning. */
  developmentDefaults: string[];
  dataDir: string;
  shutdownDrainMs: number;
  /** Express `trust proxy`: which proxies may tell the client address (login throttling uses it). */
  trustProxy: string | number | boolean;
  /**
   * How far V8 lets the old generation of an HTTP-serving process grow past what survived a full
   * GC before the next one (`--heap-growing-percent`; 0 leaves V8's own choice). See
   * platform/runtime/heap-growth.ts.
   */
  heapGrowingPercent: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

// Development-only secrets. They are public (they are in this file), so production refuses them.
const DEV_DATA_KEYS = 'v1:ZGV2ZWxvcG1lbnQtZGF0YS1rZXktbm90LWZvci11c2U=';
const DEV_BLIND_INDEX_KEY = 'ZGV2ZWxvcG1lbnQtYmxpbmQtaW5kZXgta2V5LTAwMDE=';
const DEV_AUDIT_KEY = 'ZGV2ZWxvcG1lbnQtYXVkaXQtY2hhaW4ta2V5LTAwMDE=';
const DEV_JWT_SECRET = 'development-jwt-secret-not-for-production-use';

const ROLES: readonly Role[] = ['all', 'api', 'worker'];

/** The old generation may grow to 4 times what survived a full GC (the most V8 chooses itself, in heaps of 2 GB or more). */
export const DEFAULT_HEAP_GROWING_PERCENT = 300;

type Env = Record<string, string | undefined>;

function bool(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  problems.push(`${name} must be true or false`);
  return fallback;
}

function url(name: string, raw: string | undefined, protocols: string[], problems: string[]): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    const u = new URL(raw);
    if (!protocols.includes(u.protocol)) {
      problems.push(`${name} must use ${protocols.map((p) => p.replace(':', '')).join(' or ')}`);
    }
  } catch {
    // Never echo the value: URLs carry passwords.
    problems.push(`${name} is not a valid URL`);
  }
  return raw.trim();
}

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const production = nodeEnv === 'production';

  const role = (env.MARAK_ROLE?.trim() || 'all') as Role;
  if (!ROLES.includes(role)) problems.push('MARAK_ROLE must be all, api or worker');

  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('PORT must be an integer 0–65535');

  const databaseUrl = url('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:'], problems);
  const redisUrl = url('REDIS_URL', env.REDIS_URL, ['redis:', 'rediss:'], problems);
  const smtpUrl = url('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:'], problems);
  const publicUrl = url('PUBLIC_URL', env.PUBLIC_URL, ['http:', 'https:'], problems);

  const developmentDefaults: string[] = [];
  const secret = (name: string, dev: string): string => {
    const v = env[name]?.trim();
    if (v) {
      if (production && v === dev) problems.push(`${name} is the public development value`);
      return v;
    }
    if (production) problems.push(`${name} is required in production`);
    developmentDefaults.push(name);
    return dev;
  };
  const dataKeys = secret('MARAK_DATA_KEYS', DEV_DATA_KEYS);
  const blindIndexKey = secret('MARAK_BLIND_INDEX_KEY', DEV_BLIND_INDEX_KEY);
  const auditKey = secret('MARAK_AUDIT_KEY', DEV_AUDIT_KEY);
  const jwtSecret = secret('JWT_SECRET', DEV_JWT_SECRET);
  if (jwtSecret.length < 32) problems.push('JWT_SECRET must be at least 32 characters');
  for (const [name, check] of [
    ['MARAK_DATA_KEYS', () => parseDataKeys(dataKeys)],
    ['MARAK_BLIND_INDEX_KEY', () => parseBlindIndexKey(blindIndexKey)],
    ['MARAK_AUDIT_KEY', () => parseBlindIndexKey(auditKey)],
  ] as const) {
    try {
      check();
    } catch (e) {
      // The library's messages never contain key material.
      const message = e instanceof Error ? e.message : 'invalid';
      problems.push(message.startsWith(name) ? message : `${name}: ${message}`);
    }
  }

  if (production) {
    if (!databaseUrl) problems.push('DATABASE_URL is required in production');
    if (!redisUrl) problems.push('REDIS_URL is required in production');
    if (!smtpUrl) problems.push('SMTP_URL is required in production');
    if (!publicUrl) problems.push('PUBLIC_URL is required in production');
    if (!env.MAIL_FROM?.trim()) problems.push('MAIL_FROM is required in production');
  }

  const testClock = bool('MARAK_TEST_CLOCK', env.MARAK_TEST_CLOCK, false, problems);
  if (production && testClock) problems.push('MARAK_TEST_CLOCK=true is refused in production');
  const mfaRequired = bool('MARAK_MFA_REQUIRED', env.MARAK_MFA_REQUIRED, true, problems);
  if (production && !mfaRequired) problems.push('MARAK_MFA_REQUIRED=false is refused in production');

  const adminEmail = env.MARAK_BOOTSTRAP_ADMIN_EMAIL?.trim();
  const adminPassword = env.MARAK_BOOTSTRAP_ADMIN_PASSWORD;
  if (Boolean(adminEmail) !== Boolean(adminPassword)) {
    problems.push('MARAK_BOOTSTRAP_ADMIN_EMAIL and MARAK_BOOTSTRAP_ADMIN_PASSWORD go together');
  }

  const queuePrefix = env.MARAK_QUEUE_PREFIX?.trim() || 'marak';
  if (queuePrefix.includes(':')) problems.push('MARAK_QUEUE_PREFIX may not contain ":"');

  const shutdownDrainMs = Number(env.MARAK_SHUTDOWN_DRAIN_MS ?? 25_000);
  if (!Number.isInteger(shutdownDrainMs) || shutdownDrainMs < 0) problems.push('MARAK_SHUTDOWN_DRAIN_MS must be a non-negative integer');

  const rawHeapGrowing = env.MARAK_HEAP_GROWING_PERCENT?.trim() || String(DEFAULT_HEAP_GROWING_PERCENT);
  const heapGrowingPercent = /^\d{1,4}$/.test(rawHeapGrowing) ? Number(rawHeapGrowing) : NaN;
  // Below 10 would be less than V8's own smallest factor (1.1): a full GC after every few MB.
  if (!(heapGrowingPercent === 0 || (heapGrowingPercent >= 10 && heapGrowingPercent <= 1000))) {
    problems.push('MARAK_HEAP_GROWING_PERCENT must be 0 (V8 decides) or an integer 10–1000');
  }

  if (problems.length) throw new ConfigError(problems);

  return {
    env: nodeEnv,
    role,
    port,
    databaseUrl,
    redisUrl,
    smtpUrl,
    mailFrom: env.MAIL_FROM?.trim() || 'MARAK <marak@localhost>',
    publicUrl: (publicUrl ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    dataKeys,
    blindIndexKey,
    auditKey,
    jwtSecret,
    bootstrapAdmin: adminEmail && adminPassword ? { email: adminEmail, password: adminPassword } : undefined,
    mfaRequired,
    testClock,
    queuePrefix,
    logLevel: env.LOG_LEVEL?.trim() || (nodeEnv === 'test' ? 'warn' : 'info'),
    developmentDefaults,
    dataDir: env.MARAK_DATA_DIR?.trim() || '.data',
    shutdownDrainMs,
    trustProxy: parseTrustProxy(env.MARAK_TRUST_PROXY),
    heapGrowingPercent,
  };
}

function parseTrustProxy(raw: string | undefined): string | number | boolean {
  const v = raw?.trim();
  if (!v || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v; // 'loopback', 'uniquelocal', a CIDR list…
}

/** Injection token for the resolved configuration (URLs filled in by the launcher). */
export const APP_CONFIG = Symbol('APP_CONFIG');
