import { createHash } from 'node:crypto';
import { ConfigError, loadConfig } from './app-config.js';

const key = (seed: string) => createHash('sha256').update(seed).digest('base64');
const PROD = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://marak:secret@db:5432/marak',
  REDIS_URL: 'redis://redis:6379/2',
  SMTP_URL: 'smtp://mail:25',
  PUBLIC_URL: 'https://marak.example.fi/',
  MAIL_FROM: 'MARAK <marak@example.fi>',
  MARAK_DATA_KEYS: `v1:${key('a')},v2:${key('b')}`,
  MARAK_BLIND_INDEX_KEY: key('c'),
  MARAK_AUDIT_KEY: key('d'),
  JWT_SECRET: 'x'.repeat(48),
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('starts outside production with nothing set, using development defaults it names', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.role).toBe('all');
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.mfaRequired).toBe(true);
    expect(c.testClock).toBe(false);
    expect(c.developmentDefaults).toEqual(['MARAK_DATA_KEYS', 'MARAK_BLIND_INDEX_KEY', 'MARAK_AUDIT_KEY', 'JWT_SECRET']);
  });

  it('accepts a complete production configuration', () => {
    const c = loadConfig(PROD);
    expect(c.env).toBe('production');
    expect(c.developmentDefaults).toEqual([]);
    expect(c.publicUrl).toBe('https://marak.example.fi');
  });

  it.each(['DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'PUBLIC_URL', 'MAIL_FROM', 'MARAK_DATA_KEYS', 'MARAK_BLIND_INDEX_KEY', 'MARAK_AUDIT_KEY', 'JWT_SECRET'])(
    'refuses production without %s',
    (name) => {
      const problems = problemsOf({ ...PROD, [name]: undefined });
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    },
  );

  it('refuses the public development secrets in production', () => {
    const dev = loadConfig({});
    const problems = problemsOf({ ...PROD, MARAK_DATA_KEYS: dev.dataKeys, JWT_SECRET: dev.jwtSecret });
    expect(problems).toEqual(expect.arrayContaining(['MARAK_DATA_KEYS is the public development value', 'JWT_SECRET is the public development value']));
  });

  it('refuses the test clock and optional MFA in production', () => {
    expect(problemsOf({ ...PROD, MARAK_TEST_CLOCK: 'true' })).toContain('MARAK_TEST_CLOCK=true is refused in production');
    expect(problemsOf({ ...PROD, MARAK_MFA_REQUIRED: 'false' })).toContain('MARAK_MFA_REQUIRED=false is refused in production');
  });

  it('refuses malformed values with every problem listed at once', () => {
    const problems = problemsOf({ PORT: 'eighty', MARAK_ROLE: 'both', REDIS_URL: 'http://x', MARAK_TEST_CLOCK: 'perhaps', MARAK_DATA_KEYS: 'v1:c2hvcnQ=' });
    expect(problems).toHaveLength(5);
  });

  it('never repeats a URL or a key in its messages (they carry passwords and secrets)', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://user:hunter2@db/x', MARAK_DATA_KEYS: 'v1:c2VjcmV0LWtleQ==' });
    expect(problems.join(' ')).not.toMatch(/hunter2|c2VjcmV0LWtleQ/);
  });

  it('requires the bootstrap admin e-mail and password together', () => {
    expect(problemsOf({ MARAK_BOOTSTRAP_ADMIN_EMAIL: 'admin@example.fi' })).toHaveLength(1);
    expect(loadConfig({ MARAK_BOOTSTRAP_ADMIN_EMAIL: 'admin@example.fi', MARAK_BOOTSTRAP_ADMIN_PASSWORD: 'pw' }).bootstrapAdmin?.email).toBe('admin@example.fi');
  });

  it('lets the old generation grow to 4 times its live size unless told otherwise, and refuses nonsense', () => {
    expect(loadConfig({}).heapGrowingPercent).toBe(300);
    expect(loadConfig({ MARAK_HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(loadConfig({ MARAK_HEAP_GROWING_PERCENT: ' 150 ' }).heapGrowingPercent).toBe(150);
    expect(loadConfig({ MARAK_HEAP_GROWING_PERCENT: '10' }).heapGrowingPercent).toBe(10);
    for (const bad of ['-1', '5', '1001', '2.5', '0x10', '1e2', '+300', 'lots']) {
      expect(problemsOf({ MARAK_HEAP_GROWING_PERCENT: bad })).toEqual(['MARAK_HEAP_GROWING_PERCENT must be 0 (V8 decides) or an integer 10–1000']);
    }
  });

  it('reads the role and a queue prefix without ":"', () => {
    expect(loadConfig({ MARAK_ROLE: 'worker' }).role).toBe('worker');
    expect(problemsOf({ MARAK_QUEUE_PREFIX: 'a:b' })).toEqual(['MARAK_QUEUE_PREFIX may not contain ":"']);
  });
});
