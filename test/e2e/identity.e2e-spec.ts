import { createHmac } from 'node:crypto';
import { generate } from 'otplib';
import { DataSource } from 'typeorm';
import { LoginThrottle } from '../../src/modules/identity/login-throttle.service.js';
import { aGroup, aUser, anAgency, PASSWORD } from '../harness/factories.js';
import { TEST_ADMIN, startTestApp, type TestApp } from '../harness/test-app.js';

function b64url(o: object): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}
function forge(payload: object, secret: string, alg = 'HS256'): string {
  const head = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  return alg === 'none' ? `${head}.` : `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

describe('identity: login, tokens, sessions', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t?.close());

  it('created the bootstrap admin on first start, and only then', async () => {
    const me = await t.admin.get('/api/v1/me').expect(200);
    expect(me.body).toMatchObject({ email: TEST_ADMIN.email, roles: [{ role: 'admin', groupId: null }], mfaEnabled: false });
    const again = await startTestApp({ db: t.db, env: { MARAK_BOOTSTRAP_ADMIN_EMAIL: 'second@marak.test', MARAK_BOOTSTRAP_ADMIN_PASSWORD: 'Another-long-passphrase-42' } }).catch((e) => e);
    // The second app logs in as the first admin (the harness does) and no second admin appears.
    if (!(again instanceof Error)) await again.close();
    const emails = (await db.query(`SELECT email FROM users WHERE email LIKE '%@marak.test'`)).map((r: { email: string }) => r.email);
    expect(emails).toEqual([TEST_ADMIN.email]);
  });

  it('hashes passwords with argon2id', async () => {
    const [row] = await db.query(`SELECT password_hash FROM users WHERE email = $1`, [TEST_ADMIN.email]);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('refuses a wrong password 401 without telling whether the account exists', async () => {
    const wrong = await t.http.post('/api/v1/auth/login').send({ email: TEST_ADMIN.email, password: 'not the password at all' }).expect(401);
    const unknown = await t.http.post('/api/v1/auth/login').send({ email: 'nobody@marak.test', password: 'not the password at all' }).expect(401);
    expect(wrong.body.type).toBe(unknown.body.type);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('issues access tokens that live 15 minutes at most', async () => {
    const tokens = await t.login(TEST_ADMIN.email, TEST_ADMIN.password);
    const claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(15 * 60);
    t.clock.set(new Date(Date.now()));
    t.clock.advance(16 * 60 * 1000);
    await t.as(tokens.accessToken).get('/api/v1/me').expect(401);
    await t.renewAdmin();
  });

  it.each([
    ['no token', undefined],
    ['garbage', 'Bearer not.a.jwt'],
    ['alg none', `Bearer ${forge({ sub: '00000000-0000-0000-0000-000000000000', sid: 'x', mfa: true, typ: 'access', iat: 1, exp: 4102444800 }, '', 'none')}`],
    ['wrong key', `Bearer ${forge({ sub: '00000000-0000-0000-0000-000000000000', sid: 'x', mfa: true, typ: 'access', iat: 1, exp: 4102444800 }, 'some-other-secret-that-is-long-enough')}`],
  ])('refuses a request with %s: 401 problem', async (_name, header) => {
    const req = t.http.get('/api/v1/me');
    const res = await (header ? req.set('Authorization', header) : req).expect(401);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('rotates refresh tokens, and a replayed one ends the whole session', async () => {
    const first = await t.login(TEST_ADMIN.email, TEST_ADMIN.password);
    const second = (await t.http.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await t.as(second.accessToken).get('/api/v1/me').expect(200);
    // The old token is presented again (stolen): refused, and the family is revoked.
    await t.http.post('/api/v1/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    await t.http.post('/api/v1/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    await t.as(second.accessToken).get('/api/v1/me').expect(401);
    const [row] = await db.query(`SELECT refresh_tokens.token_hash FROM refresh_tokens LIMIT 1`);
    expect(Buffer.from(row.token_hash).toString()).not.toContain(first.refreshToken.split('.')[1]);
  });

  it('lets exactly one of two concurrent refreshes with the same token win', async () => {
    const tokens = await t.login(TEST_ADMIN.email, TEST_ADMIN.password);
    const results = await Promise.all([1, 2].map(() => t.http.post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('never replays a public route’s answer for an Idempotency-Key: a refresh token is used once', async () => {
    const tokens = await t.login(TEST_ADMIN.email, TEST_ADMIN.password);
    const first = await t.http.post('/api/v1/auth/refresh').set('Idempotency-Key', 'same-key-refresh').send({ refreshToken: tokens.refreshToken }).expect(200);
    const again = await t.http.post('/api/v1/auth/refresh').set('Idempotency-Key', 'same-key-refresh').send({ refreshToken: tokens.refreshToken }).expect(401);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect(again.body.accessToken).toBeUndefined();
    expect(first.body.accessToken).toBeDefined();
  });

  it('logout ends the session: its access and refresh tokens stop working', async () => {
    const tokens = await t.login(TEST_ADMIN.email, TEST_ADMIN.password);
    await t.as(tokens.accessToken).post('/api/v1/auth/logout').expect(204);
    await t.as(tokens.accessToken).get('/api/v1/me').expect(401);
    await t.http.post('/api/v1/auth/refresh').send({ refreshToken: tokens.refreshToken }).expect(401);
  });

  it('deactivating a user ends their sessions at once', async () => {
    const agency = await anAgency(t);
    const group = await aGroup(t, [agency.id]);
    const user = await aUser(t, agency.id, [{ role: 'referrer', groupId: group.id }]);
    await t.as(user.accessToken).get('/api/v1/me').expect(200);
    await t.admin.patch(`/api/v1/users/${user.id}`).send({ active: false }).expect(200);
    await t.as(user.accessToken).get('/api/v1/me').expect(401);
    await t.http.post('/api/v1/auth/refresh').send({ refreshToken: user.refreshToken }).expect(401);
    await t.http.post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(401);
  });

  it.each([
    ['too short', 'Lyhyt-123', /at least 12/],
    ['common', 'password1234', /too common/],
    ['common with dressing', 'Salasana2026!', /too common/],
  ])('refuses a %s password 422', async (_n, password, detail) => {
    const res = await t.admin.post('/api/v1/users').send({ email: `pw-${password.length}-${Math.random()}@agency.test`, name: 'Testi', password, roles: [{ role: 'admin' }] }).expect(422);
    expect(res.body.type).toBe('https://marak.example/problems/weak-password');
    expect(res.body.detail).toMatch(detail);
  });
});

describe('identity: brute force', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t?.close());

  it('throttles failed logins per account with Retry-After, even for the right password, and only for a while', async () => {
    const agency = await anAgency(t);
    const group = await aGroup(t, [agency.id]);
    const user = await aUser(t, agency.id, [{ role: 'referrer', groupId: group.id }]);
    for (let i = 0; i < 5; i++) await t.http.post('/api/v1/auth/login').send({ email: user.email, password: `wrong-guess-number-${i}` }).expect(401);
    const blocked = await t.http.post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect(blocked.body.type).toBe('https://marak.example/problems/too-many-login-attempts');
    // Another account from the same address is not blocked by this one's failures.
    await t.login(TEST_ADMIN.email, TEST_ADMIN.password);
  });

  it('counts a burst of parallel guesses before checking them: at most five are tried', async () => {
    const agency = await anAgency(t);
    const group = await aGroup(t, [agency.id]);
    const user = await aUser(t, agency.id, [{ role: 'referrer', groupId: group.id }]);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => t.http.post('/api/v1/auth/login').send({ email: user.email, password: `parallel-guess-${i}` })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
  });

  it('counts failures across API replicas (the state is in Redis)', async () => {
    const agency = await anAgency(t);
    const group = await aGroup(t, [agency.id]);
    const user = await aUser(t, agency.id, [{ role: 'referrer', groupId: group.id }]);
    const replica = await startTestApp({ db: t.db, queuePrefix: t.config.queuePrefix });
    try {
      for (let i = 0; i < 3; i++) await t.http.post('/api/v1/auth/login').send({ email: user.email, password: `guess-on-one-${i}` }).expect(401);
      for (let i = 0; i < 2; i++) await replica.http.post('/api/v1/auth/login').send({ email: user.email, password: `guess-on-two-${i}` }).expect(401);
      await replica.http.post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(429);
      await t.http.post('/api/v1/auth/login').send({ email: user.email, password: PASSWORD }).expect(429);
    } finally {
      await replica.close();
    }
  });

  it('throttles a client address that tries many accounts', async () => {
    for (let i = 0; i < 30; i++) {
      const res = await t.http.post('/api/v1/auth/login').send({ email: `spray-${i}@agency.test`, password: 'Summer-password-2027' });
      expect([401, 429]).toContain(res.status);
    }
    const res = await t.http.post('/api/v1/auth/login').send({ email: 'spray-final@agency.test', password: 'Summer-password-2027' }).expect(429);
    expect(res.headers['retry-after']).toBeDefined();
  });
});

describe('identity: throttle outage', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(() => t?.close());

  it('answers 503 with Retry-After, never 500, while the throttle’s Redis is unreachable, and recovers', async () => {
    // An outage as the throttle meets it: its connection drops and every reconnection is refused.
    const redis = (t.app.get(LoginThrottle) as unknown as { redis: { options: { port: number }; disconnect(reconnect?: boolean): void } }).redis;
    const port = redis.options.port;
    redis.options.port = 1; // nothing listens there
    redis.disconnect(true);
    try {
      const res = await t.http.post('/api/v1/auth/login').send({ email: TEST_ADMIN.email, password: TEST_ADMIN.password }).expect(503);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.headers['retry-after']).toBeDefined();
      expect(JSON.stringify(res.body)).not.toContain(TEST_ADMIN.email);
    } finally {
      redis.options.port = port;
      redis.disconnect(true);
    }
    await t.login(TEST_ADMIN.email, TEST_ADMIN.password);
  });
});

describe('identity: TOTP second factor', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await startTestApp({ env: { MARAK_MFA_REQUIRED: 'true' } });
    db = t.app.get(DataSource);
  });
  afterAll(() => t?.close());

  it('requires enrolment before case data, then a code at every login, each code once', async () => {
    t.clock.set(new Date('2027-02-01T08:00:00.000Z'));
    await t.renewAdmin();
    const agency = await anAgency(t);
    const group = await aGroup(t, [agency.id]);
    const res = await t.admin.post('/api/v1/users').send({ email: 'coordinator@agency.test', name: 'Koordinaattori', agencyId: agency.id, password: PASSWORD, roles: [{ role: 'coordinator', groupId: group.id }] }).expect(201);
    const first = (await t.http.post('/api/v1/auth/login').send({ email: 'coordinator@agency.test', password: PASSWORD }).expect(200)).body;
    expect(first.mfaEnrollmentRequired).toBe(true);
    // Without a second factor: own account yes, group data no.
    await t.as(first.accessToken).get('/api/v1/me').expect(200);
    const refused = await t.as(first.accessToken).get(`/api/v1/groups/${group.id}`).expect(403);
    expect(refused.body.type).toBe('https://marak.example/problems/mfa-required');

    const { secret, otpauthUrl } = (await t.as(first.accessToken).post('/api/v1/me/mfa/enroll').expect(200)).body;
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const [stored] = await db.query(`SELECT mfa_secret_enc FROM users WHERE id = $1`, [res.body.id]);
    expect(Buffer.from(stored.mfa_secret_enc).toString('latin1')).not.toContain(secret);

    const epoch = () => Math.floor(t.clock.now().getTime() / 1000);
    const code1 = await generate({ secret, epoch: epoch() });
    const enrolled = (await t.as(first.accessToken).post('/api/v1/me/mfa/verify').send({ code: code1 }).expect(200)).body;
    await t.as(enrolled.accessToken).get(`/api/v1/groups/${group.id}`).expect(200);

    // Next login needs a code; the one just used is refused, a later one accepted once.
    t.clock.advance(30_000);
    const step1 = (await t.http.post('/api/v1/auth/login').send({ email: 'coordinator@agency.test', password: PASSWORD }).expect(200)).body;
    expect(step1).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    await t.http.post('/api/v1/auth/mfa').send({ mfaToken: step1.mfaToken, code: code1 }).expect(401);
    const code2 = await generate({ secret, epoch: epoch() });
    const tokens = (await t.http.post('/api/v1/auth/mfa').send({ mfaToken: step1.mfaToken, code: code2 }).expect(200)).body;
    await t.as(tokens.accessToken).get(`/api/v1/groups/${group.id}`).expect(200);
    await t.http.post('/api/v1/auth/mfa').send({ mfaToken: step1.mfaToken, code: code2 }).expect(401);

    // Guessing codes is throttled like guessing passwords: five wrong codes, then 429.
    const guessing = (await t.http.post('/api/v1/auth/login').send({ email: 'coordinator@agency.test', password: PASSWORD }).expect(200)).body;
    const wrong = (code2 === '000000' ? '111111' : '000000');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await t.http.post('/api/v1/auth/mfa').send({ mfaToken: guessing.mfaToken, code: wrong })).status);
    expect(statuses.filter((st) => st === 401).length).toBeLessThanOrEqual(5); // a wrong code before counts too
    expect(statuses.slice(-2)).toEqual([429, 429]);
    const [failures] = await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.login' AND object_id = $1 AND details->>'reasonCode' = 'invalid-mfa-code'`, [res.body.id]);
    expect(failures.n).toBeGreaterThanOrEqual(statuses.filter((st) => st === 401).length);
    await t.app.get(LoginThrottle).mfaSucceeded(res.body.id); // the pause would end by itself; the test cannot wait 15 minutes

    // A code from two steps ago is outside the ±1 step window.
    t.clock.advance(30_000);
    const old = await generate({ secret, epoch: epoch() - 60 });
    const step2 = (await t.http.post('/api/v1/auth/login').send({ email: 'coordinator@agency.test', password: PASSWORD }).expect(200)).body;
    await t.http.post('/api/v1/auth/mfa').send({ mfaToken: step2.mfaToken, code: old }).expect(401);
  });
});
